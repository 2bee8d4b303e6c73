-- METRICS.md `renewals_due`, `renewals_renewed`, `renewal_rate`, `gross_dollar_renewal_rate`.
-- A span's term ends (keel_term_end_in_month, accounts/migrations/0016: from renews_on or starts_on by the term
-- or the yearly or quarterly interval) land at most once in a month. Due when the span is active on t − 1
-- (starts_on < t ≤ ends_on); renewed when the subscription has a span active on t.
-- in: _months, _owner_at, accounts_account, accounts_subscriptionspan
-- out: _kpi_renewals
CREATE TEMP TABLE _kpi_renewals ON COMMIT DROP AS
WITH due AS (
    SELECT m.month, m.as_of, s.account_id, s.subscription_id, s.annual_amount AS arr_before, t.t
    FROM _months m
    JOIN accounts_subscriptionspan s
      ON (s.interval IN ('year', 'quarter') OR s.term <> '') AND s.starts_on < m.as_of
     AND (s.ends_on IS NULL OR s.ends_on >= m.month)
    CROSS JOIN LATERAL (
        SELECT keel_term_end_in_month(s.starts_on, s.ends_on, s.interval, s.renews_on, s.term, m.month) AS t
    ) t
    WHERE t.t <= m.as_of
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
