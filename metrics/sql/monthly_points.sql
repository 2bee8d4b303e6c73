-- The points in time the monthly KPIs read, and every account's ARR and owner at each of them.
-- Input: _months(month, as_of) — the months to compute, each as of its last day (or the last computed day).
-- METRICS.md "Movements of month m": s = ARR at the end of m−1, e = at the end of m (as_of);
-- nrr_12m reads the end of m−12; ltv's trailing logo churn reads the ends of m−1 … m−6.
-- in: _months, accounts_accountownership, accounts_subscriptionspan
-- out: _arr_at, _first_paid, _owner_at, _points

CREATE TEMP TABLE _points ON COMMIT DROP AS
SELECT DISTINCT pt
FROM (
    SELECT as_of AS pt FROM _months
    UNION ALL
    -- the last day of month m − j is the day before the first day of month m − j + 1
    SELECT (m.month - make_interval(months => j - 1))::date - 1
    FROM _months m, (VALUES (1), (2), (3), (4), (5), (6), (12)) AS back (j)
) p;
ANALYZE _points;

-- ARR of every account with a span active at a point (starts_on ≤ pt < ends_on). Zero-priced spans give 0.
CREATE TEMP TABLE _arr_at ON COMMIT DROP AS
SELECT p.pt, s.account_id, SUM(s.annual_amount) AS arr
FROM _points p
JOIN accounts_subscriptionspan s
  ON s.starts_on <= p.pt AND (s.ends_on IS NULL OR p.pt < s.ends_on)
GROUP BY p.pt, s.account_id;
CREATE INDEX ON _arr_at (account_id, pt);

-- The owner of every account at every point (AccountOwnership covers all of time for every account).
CREATE TEMP TABLE _owner_at ON COMMIT DROP AS
SELECT p.pt, o.account_id, o.csm_id
FROM _points p
JOIN accounts_accountownership o
  ON o.valid_from <= p.pt AND (o.valid_to IS NULL OR p.pt < o.valid_to);
CREATE INDEX ON _owner_at (account_id, pt);

-- The first month-end on which each account paid (keel_revenue_paid_month_end: metrics/migrations/0011).
CREATE TEMP TABLE _first_paid ON COMMIT DROP AS
SELECT account_id, MIN(keel_revenue_paid_month_end(amount, starts_on, ends_on)) AS first_month_end
FROM accounts_subscriptionspan
GROUP BY account_id
HAVING MIN(keel_revenue_paid_month_end(amount, starts_on, ends_on)) IS NOT NULL;
CREATE INDEX ON _first_paid (account_id);

ANALYZE _arr_at;
ANALYZE _owner_at;
