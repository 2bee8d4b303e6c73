-- METRICS.md `renewals_due`, `renewals_renewed`, `renewal_rate`, `gross_dollar_renewal_rate`.
-- A yearly or quarterly span has term ends t = starts_on + k × interval (k ≥ 1, from its own starts_on;
-- PostgreSQL's date + interval clamps Jan 31 + 3 months to Apr 30). At most one k lands in a given month:
-- the one with k × interval = the months between starts_on and the month. Due when the span is active on
-- t − 1 (t ≤ ends_on); renewed when the subscription has a span active on t.
-- in: _months, _owner_at, accounts_account, accounts_subscriptionspan
-- out: _kpi_renewals
CREATE TEMP TABLE _kpi_renewals ON COMMIT DROP AS
WITH due AS (
    SELECT m.month, m.as_of, s.account_id, s.subscription_id, s.annual_amount AS arr_before, t.t
    FROM _months m
    JOIN accounts_subscriptionspan s
      ON s.interval IN ('year', 'quarter') AND s.starts_on < m.month
    CROSS JOIN LATERAL (
        SELECT ((extract(year FROM m.month) - extract(year FROM s.starts_on)) * 12
                + extract(month FROM m.month) - extract(month FROM s.starts_on))::int AS months_between
    ) d
    CROSS JOIN LATERAL (
        SELECT (s.starts_on + make_interval(months => d.months_between))::date AS t
    ) t
    WHERE d.months_between % (CASE s.interval WHEN 'year' THEN 12 ELSE 3 END) = 0
      AND t.t <= m.as_of
      AND (s.ends_on IS NULL OR t.t <= s.ends_on)
),
renewed AS (
    SELECT d.*, after.arr_after
    FROM due d
    LEFT JOIN LATERAL (
        SELECT SUM(n.annual_amount) AS arr_after
        FROM accounts_subscriptionspan n
        WHERE n.subscription_id = d.subscription_id
          AND n.starts_on <= d.t AND (n.ends_on IS NULL OR d.t < n.ends_on)
    ) after ON true
),
grouped AS (
    SELECT r.month,
           CASE GROUPING(o.csm_id, acc.segment) WHEN 0 THEN 'csm_segment' WHEN 1 THEN 'csm' WHEN 2 THEN 'segment' ELSE 'company' END
               AS scope,
           o.csm_id, acc.segment,
           COUNT(*) AS renewals_due,
           COUNT(*) FILTER (WHERE r.arr_after IS NOT NULL) AS renewals_renewed,
           SUM(r.arr_before) AS renewal_arr_due,
           SUM(LEAST(COALESCE(r.arr_after, 0), r.arr_before)) AS renewal_arr_kept
    FROM renewed r
    LEFT JOIN _owner_at o ON o.account_id = r.account_id AND o.pt = r.as_of
    JOIN accounts_account acc ON acc.id = r.account_id
    GROUP BY GROUPING SETS ((r.month), (r.month, o.csm_id), (r.month, acc.segment), (r.month, o.csm_id, acc.segment))
)
SELECT * FROM grouped;
