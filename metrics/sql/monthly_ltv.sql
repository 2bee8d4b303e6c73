-- METRICS.md `ltv`: the mean logo churn rate of months m−5 … m, per group, each month attributed to the owner
-- at its own end. Null when the group had no customers at the start of any of the six months.
-- The six (start, end) pairs of each month as a table with statistics, so that the planner knows each start
-- point matches most accounts of _arr_at (and hashes instead of probing the index once per account).
-- in: _arr_at, _months, _owner_at, accounts_account
-- out: _kpi_ltv, _ltv_pairs
CREATE TEMP TABLE _ltv_pairs ON COMMIT DROP AS
SELECT m.month, k,
       CASE WHEN k = 0 THEN m.as_of ELSE (m.month - make_interval(months => k - 1))::date - 1 END AS pt,
       (m.month - make_interval(months => k))::date - 1 AS prev
FROM _months m, generate_series(0, 5) AS k;
ANALYZE _ltv_pairs;

CREATE TEMP TABLE _kpi_ltv ON COMMIT DROP AS
WITH per_account AS (
    SELECT p.month, p.k, o.csm_id, acc.segment, COALESCE(e.arr, 0) AS e
    FROM _ltv_pairs p
    JOIN _arr_at s ON s.pt = p.prev AND s.arr > 0
    LEFT JOIN _arr_at e ON e.pt = p.pt AND e.account_id = s.account_id
    LEFT JOIN _owner_at o ON o.account_id = s.account_id AND o.pt = p.pt
    JOIN accounts_account acc ON acc.id = s.account_id
),
rates AS (
    SELECT month, k,
           CASE GROUPING(csm_id, segment) WHEN 0 THEN 'csm_segment' WHEN 1 THEN 'csm' WHEN 2 THEN 'segment' ELSE 'company' END
               AS scope,
           csm_id, segment,
           (COUNT(*) FILTER (WHERE e = 0))::numeric / COUNT(*) AS logo_churn_rate
    FROM per_account
    GROUP BY GROUPING SETS ((month, k), (month, k, csm_id), (month, k, segment), (month, k, csm_id, segment))
),
means AS (
    SELECT month, scope, csm_id, segment,
           CASE WHEN COUNT(*) = 6 THEN SUM(logo_churn_rate) / 6 END AS mean
    FROM rates
    GROUP BY month, scope, csm_id, segment
)
SELECT means.month, means.scope, means.csm_id, means.segment,
       means.mean AS logo_churn_mean_6m
FROM means;
