-- METRICS.md `at_risk_arr` (Σ ARR on as_of of the accounts at risk that day) and the dashboard's health figures
-- on as_of ("average health", "health distribution": scored accounts per status, and those onboarding) of the
-- months' rows, from the daily rows of as_of: each account's ARR and owner that day, its segment now (METRICS.md
-- "Breakdowns"); and the sums of dau_sum_30 and mau of those accounts, for the company's `stickiness` (METRICS.md
-- "Product usage").
-- The last step of a pipeline run, once the daily rows and the months' rows are stored. Input: _months.
-- in: _months, accounts_account, metrics_accountday
-- out: metrics_monthlykpi
WITH figures AS (
    SELECT m.month,
           CASE GROUPING(h.csm_id, acc.segment) WHEN 0 THEN 'csm_segment' WHEN 1 THEN 'csm' WHEN 2 THEN 'segment' ELSE 'company' END
               AS scope,
           h.csm_id, acc.segment,
           COALESCE(SUM(h.arr) FILTER (WHERE h.at_risk), 0) AS at_risk_arr,
           COUNT(*) AS health_scored,
           COUNT(*) FILTER (WHERE h.status = 'green') AS health_green,
           COUNT(*) FILTER (WHERE h.status = 'yellow') AS health_yellow,
           COUNT(*) FILTER (WHERE h.status = 'red') AS health_red,
           COUNT(*) FILTER (WHERE h.stage = 'onboarding') AS health_onboarding,
           SUM(h.score::numeric)::float8 AS health_score_sum,  -- exact, so the order of the rows cannot change it
           COALESCE(SUM(h.dau_sum_30), 0) AS usage_dau_sum_30,
           COALESCE(SUM(h.mau), 0) AS usage_mau
    FROM _months m
    JOIN metrics_accountday h ON h.day = m.as_of AND h.score IS NOT NULL
    JOIN accounts_account acc ON acc.id = h.account_id
    GROUP BY GROUPING SETS ((m.month), (m.month, h.csm_id), (m.month, acc.segment), (m.month, h.csm_id, acc.segment))
),
rows AS (
    -- every row of the months, with its figures or none (a group without scored accounts)
    SELECT k.id, f.at_risk_arr, f.health_scored, f.health_green, f.health_yellow, f.health_red, f.health_onboarding,
           f.health_score_sum, f.usage_dau_sum_30, f.usage_mau
    FROM metrics_monthlykpi k
    JOIN _months m ON m.month = k.month
    LEFT JOIN figures f
      ON f.month = k.month AND f.scope = k.scope
     AND COALESCE(f.csm_id, 0) = COALESCE(k.csm_id, 0) AND COALESCE(f.segment, '') = COALESCE(k.segment, '')
     AND f.csm_id IS NOT DISTINCT FROM k.csm_id AND f.segment IS NOT DISTINCT FROM k.segment
)
UPDATE metrics_monthlykpi k
SET at_risk_arr = COALESCE(r.at_risk_arr, 0), health_scored = COALESCE(r.health_scored, 0),
    health_green = COALESCE(r.health_green, 0), health_yellow = COALESCE(r.health_yellow, 0),
    health_red = COALESCE(r.health_red, 0), health_onboarding = COALESCE(r.health_onboarding, 0),
    health_score_sum = r.health_score_sum,
    usage_dau_sum_30 = COALESCE(r.usage_dau_sum_30, 0), usage_mau = COALESCE(r.usage_mau, 0)
FROM rows r
WHERE k.id = r.id;
