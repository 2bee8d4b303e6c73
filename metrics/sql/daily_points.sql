-- The daily values of every account of one account range on each day of _hdays (a few days, far apart: the
-- nightly day, month-ends), each from its own windows of the rollups: cheaper than a dense series when days are
-- few. Same output as daily_series.sql: _series, read next by the health step.
-- METRICS.md "Revenue" (ARR on d and on d − revenue lookback), "Product usage" (dau, mau, Σ dau over the 30
-- days, active_days_30, the last event day), the highest ARR of d − revenue trend days … d (`arr_peak`: ARR
-- changes only where a span starts or ends, so the highest of ARR on d − trend and on each such day after it)
-- and the first day the account had MRR (`first_paid`).
-- in: _hdays, accounts_account, accounts_accountownership, accounts_subscriptionspan, metrics_usageaccountday, metrics_usageuserday
-- out: _series
-- params: account_lo, account_hi, revenue_lookback_days, revenue_trend_days
CREATE TEMP TABLE _series ON COMMIT DROP AS
WITH trend_spans AS (
    SELECT d.day, s.account_id, s.starts_on, COALESCE(s.ends_on, 'infinity'::date) AS ends_on, s.annual_amount
    FROM _hdays d
    JOIN accounts_subscriptionspan s
      ON s.starts_on <= d.day AND (s.ends_on IS NULL OR s.ends_on > d.day - %(revenue_trend_days)s::int)
    WHERE s.account_id BETWEEN %(account_lo)s AND %(account_hi)s
),
trend_days AS (
    SELECT DISTINCT t.day, t.account_id, x.day AS at
    FROM trend_spans t
    CROSS JOIN LATERAL (VALUES (t.day - %(revenue_trend_days)s::int), (t.starts_on), (t.ends_on)) AS x (day)
    WHERE x.day BETWEEN t.day - %(revenue_trend_days)s::int AND t.day
),
peak AS (
    SELECT day, account_id, MAX(arr) AS arr_peak
    FROM (
        SELECT t.day, t.account_id, t.at,
               SUM(s.annual_amount) FILTER (WHERE s.starts_on <= t.at AND t.at < s.ends_on) AS arr
        FROM trend_days t
        JOIN trend_spans s ON s.day = t.day AND s.account_id = t.account_id
        GROUP BY t.day, t.account_id, t.at
    ) levels
    GROUP BY day, account_id
),
paid_since AS (
    SELECT account_id, MIN(starts_on) AS first_paid
    FROM accounts_subscriptionspan
    WHERE annual_amount > 0 AND account_id BETWEEN %(account_lo)s AND %(account_hi)s
    GROUP BY account_id
),
revenue AS (
    SELECT d.day, s.account_id,
           COALESCE(SUM(s.annual_amount) FILTER (WHERE s.starts_on <= d.day
                                                  AND (s.ends_on IS NULL OR d.day < s.ends_on)), 0) AS arr,
           COALESCE(SUM(s.annual_amount) FILTER (WHERE s.starts_on <= d.day - %(revenue_lookback_days)s::int
                                                  AND (s.ends_on IS NULL
                                                       OR d.day - %(revenue_lookback_days)s::int < s.ends_on)),
                    0) AS arr_before
    FROM _hdays d
    JOIN accounts_subscriptionspan s
      ON s.starts_on <= d.day AND (s.ends_on IS NULL OR s.ends_on > d.day - %(revenue_lookback_days)s::int)
    WHERE s.account_id BETWEEN %(account_lo)s AND %(account_hi)s
    GROUP BY d.day, s.account_id
),
account_days AS (
    -- from the rollup of users per account and day: a row per active day, its users are that day's dau
    SELECT d.day, b.account_id,
           COALESCE(SUM(b.users) FILTER (WHERE b.day = d.day), 0) AS dau,
           SUM(b.users) AS dau_sum_30,
           COUNT(*) AS active_days_30,
           MAX(b.day) AS last_event_day
    FROM _hdays d
    JOIN metrics_usageaccountday b ON b.day BETWEEN d.day - 29 AND d.day
    WHERE b.account_id BETWEEN %(account_lo)s AND %(account_hi)s
    GROUP BY d.day, b.account_id
),
monthly_users AS (
    -- distinct users in the window, hashed (a COUNT(DISTINCT) per group would sort all user days)
    SELECT day, account_id, COUNT(*) AS mau
    FROM (
        SELECT DISTINCT d.day, u.account_id, u.user_id
        FROM _hdays d
        JOIN metrics_usageuserday u ON u.day BETWEEN d.day - 29 AND d.day
        WHERE u.account_id BETWEEN %(account_lo)s AND %(account_hi)s
    ) window_users
    GROUP BY day, account_id
),
activity AS (
    SELECT a.day, a.account_id, a.dau, m.mau, a.dau_sum_30, a.active_days_30, a.last_event_day
    FROM account_days a
    JOIN monthly_users m ON m.day = a.day AND m.account_id = a.account_id
),
accounts AS (
    SELECT COALESCE(r.day, a.day) AS day, COALESCE(r.account_id, a.account_id) AS account_id,
           COALESCE(r.arr, 0) AS arr, COALESCE(r.arr_before, 0) AS arr_before,
           COALESCE(a.dau, 0) AS dau, COALESCE(a.mau, 0) AS mau,
           COALESCE(a.dau_sum_30, 0) AS dau_sum_30, COALESCE(a.active_days_30, 0) AS active_days_30,
           a.last_event_day
    FROM revenue r
    FULL JOIN activity a ON a.day = r.day AND a.account_id = r.account_id
)
SELECT x.account_id, x.day, o.csm_id, acc.seats, x.arr, x.arr_before, COALESCE(pk.arr_peak, 0) AS arr_peak,
       ps.first_paid, x.dau, x.mau, x.dau_sum_30, x.active_days_30,
       COALESCE(x.last_event_day, (
           -- no event in the window: the latest one before it, one probe of the rollup's (account, day) key
           SELECT MAX(b.day) FROM metrics_usageaccountday b WHERE b.account_id = x.account_id AND b.day < x.day
       )) AS last_event_day
FROM accounts x
JOIN accounts_account acc ON acc.id = x.account_id
LEFT JOIN peak pk ON pk.account_id = x.account_id AND pk.day = x.day
LEFT JOIN paid_since ps ON ps.account_id = x.account_id
LEFT JOIN accounts_accountownership o
  ON o.account_id = x.account_id AND o.valid_from <= x.day AND (o.valid_to IS NULL OR x.day < o.valid_to);
ALTER TABLE _series ADD PRIMARY KEY (account_id, day);
ANALYZE _series;
