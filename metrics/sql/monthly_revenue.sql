-- METRICS.md "Revenue": the MRR movements of month m, customers, the nrr_12m / grr_12m cohort and the
-- trailing logo churn that ltv needs, for the company, per CSM and per segment in one pass.
-- Amounts are annualised (ARR = 12 × MRR) and exact; fields.py divides by 12 on output.
-- in: _arr_at, _first_paid, _months, _owner_at, accounts_account
-- out: _kpi_revenue
CREATE TEMP TABLE _kpi_revenue ON COMMIT DROP AS
WITH per_account AS (
    SELECT m.month, m.as_of, a.account_id,
           COALESCE(e.arr, 0) AS e,
           COALESCE(s.arr, 0) AS s,
           COALESCE(y.arr, 0) AS y
    FROM _months m
    CROSS JOIN (SELECT DISTINCT account_id FROM _arr_at) a
    LEFT JOIN _arr_at e ON e.account_id = a.account_id AND e.pt = m.as_of
    LEFT JOIN _arr_at s ON s.account_id = a.account_id AND s.pt = m.month - 1
    LEFT JOIN _arr_at y ON y.account_id = a.account_id
                       AND y.pt = (m.month - interval '11 months')::date - 1
),
movements AS (
    SELECT p.month, o.csm_id, acc.segment, p.e, p.s, p.y,
           keel_revenue_movement(p.s, p.e, f.first_month_end < p.month) AS movement
    FROM per_account p
    JOIN accounts_account acc ON acc.id = p.account_id
    LEFT JOIN _owner_at o ON o.account_id = p.account_id AND o.pt = p.as_of
    LEFT JOIN _first_paid f ON f.account_id = p.account_id
    WHERE p.e > 0 OR p.s > 0 OR p.y > 0
),
grouped AS (
    -- each movement's amount is |e − s| (keel_revenue_movement, metrics/migrations/0011)
    SELECT month,
           CASE GROUPING(csm_id, segment) WHEN 0 THEN 'csm_segment' WHEN 1 THEN 'csm' WHEN 2 THEN 'segment' ELSE 'company' END
               AS scope,
           csm_id, segment,
           SUM(e) AS arr,
           SUM(s) AS arr_start,
           COALESCE(SUM(e - s) FILTER (WHERE movement = 'new'), 0) AS new_arr,
           COALESCE(SUM(e - s) FILTER (WHERE movement = 'reactivation'), 0) AS reactivation_arr,
           COALESCE(SUM(e - s) FILTER (WHERE movement = 'expansion'), 0) AS expansion_arr,
           COALESCE(SUM(s - e) FILTER (WHERE movement = 'contraction'), 0) AS contraction_arr,
           COALESCE(SUM(s - e) FILTER (WHERE movement = 'churned'), 0) AS churned_arr,
           COUNT(*) FILTER (WHERE e > 0) AS customers,
           COUNT(*) FILTER (WHERE s > 0) AS customers_start,
           COUNT(*) FILTER (WHERE movement = 'new') AS new_customers,
           COUNT(*) FILTER (WHERE movement = 'reactivation') AS reactivated_customers,
           COUNT(*) FILTER (WHERE movement = 'expansion') AS expanded_customers,
           COUNT(*) FILTER (WHERE movement = 'contraction') AS contracted_customers,
           COUNT(*) FILTER (WHERE movement = 'churned') AS churned_customers,
           COALESCE(SUM(y) FILTER (WHERE y > 0), 0) AS cohort_arr_base,
           COALESCE(SUM(e) FILTER (WHERE y > 0), 0) AS cohort_arr_now,
           COALESCE(SUM(LEAST(e, y)) FILTER (WHERE y > 0), 0) AS cohort_arr_kept
    FROM movements
    GROUP BY GROUPING SETS ((month), (month, csm_id), (month, segment), (month, csm_id, segment))
)
SELECT * FROM grouped;
