-- METRICS.md `at_risk_arr` (Σ ARR on as_of of the accounts at risk that day) and the dashboard's health figures
-- on as_of ("average health", "health distribution": scored accounts per status), from metrics_accountday,
-- stored by the daily step of the same pipeline run.
CREATE TEMP TABLE _kpi_health ON COMMIT DROP AS
SELECT m.month,
       CASE GROUPING(o.csm_id, acc.segment) WHEN 0 THEN 'csm_segment' WHEN 1 THEN 'csm' WHEN 2 THEN 'segment' ELSE 'company' END
           AS scope,
       o.csm_id, acc.segment,
       COALESCE(SUM(a.arr) FILTER (WHERE h.at_risk), 0) AS at_risk_arr,
       COUNT(*) AS health_scored,
       COUNT(*) FILTER (WHERE h.status = 'green') AS health_green,
       COUNT(*) FILTER (WHERE h.status = 'yellow') AS health_yellow,
       COUNT(*) FILTER (WHERE h.status = 'red') AS health_red,
       SUM(h.score::numeric)::float8 AS health_score_sum  -- exact, so the order of the rows cannot change it
FROM _months m
JOIN metrics_accountday h ON h.day = m.as_of AND h.score IS NOT NULL
LEFT JOIN _arr_at a ON a.account_id = h.account_id AND a.pt = m.as_of
LEFT JOIN _owner_at o ON o.account_id = h.account_id AND o.pt = m.as_of
JOIN accounts_account acc ON acc.id = h.account_id
GROUP BY GROUPING SETS ((m.month), (m.month, o.csm_id), (m.month, acc.segment), (m.month, o.csm_id, acc.segment));
