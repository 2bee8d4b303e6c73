-- The daily values of every account of one account range on every day of lo … hi, as a dense series (one row
-- per account and day, 29 days of lookback included) so that every "30 days ending d" is a window frame of 30
-- rows and a whole backfill costs one pass over the rollups instead of one pass per day.
-- METRICS.md "Revenue" (ARR on d and on d − revenue lookback) and "Product usage" (dau, mau, Σ dau over the 30
-- days, active_days_30, the last event day). Output: _series, read next by the health step.
CREATE TEMP TABLE _in_play ON COMMIT DROP AS
SELECT a.id AS account_id, a.seats
FROM accounts_account a
WHERE a.id BETWEEN %(account_lo)s AND %(account_hi)s
  AND (
      EXISTS (SELECT 1 FROM accounts_subscriptionspan s
              WHERE s.account_id = a.id AND s.starts_on <= %(hi)s::date
                AND (s.ends_on IS NULL OR s.ends_on > %(lo)s::date))
      OR EXISTS (SELECT 1 FROM metrics_usageaccountday u
                 WHERE u.account_id = a.id AND u.day BETWEEN %(lo)s::date - 29 AND %(hi)s::date)
  );
ALTER TABLE _in_play ADD PRIMARY KEY (account_id);
ANALYZE _in_play;

-- mau: each user covers the 30 days from each of their active days, up to their next active day; mau is the
-- running sum of +1 where a cover starts and −1 where it ends. Covers that start before lo − 29 end before lo.
CREATE TEMP TABLE _mau_delta ON COMMIT DROP AS
WITH active AS (
    SELECT u.account_id, u.user_id, u.day,
           LEAD(u.day) OVER (PARTITION BY u.account_id, u.user_id ORDER BY u.day) AS next_day
    FROM metrics_usageuserday u
    JOIN _in_play p ON p.account_id = u.account_id
    WHERE u.day BETWEEN %(lo)s::date - 29 AND %(hi)s::date
),
covers AS (
    SELECT account_id, day, LEAST(COALESCE(next_day, day + 30), day + 30) AS ends FROM active
)
SELECT account_id, day, SUM(delta)::int AS delta
FROM (
    SELECT account_id, day, 1 AS delta FROM covers
    UNION ALL
    SELECT account_id, ends, -1 FROM covers WHERE ends <= %(hi)s::date
) d
GROUP BY account_id, day;
ALTER TABLE _mau_delta ADD PRIMARY KEY (account_id, day);

CREATE TEMP TABLE _series ON COMMIT DROP AS
WITH days AS (
    SELECT p.account_id, p.seats, d::date AS day
    FROM _in_play p, generate_series(%(lo)s::date - 29, %(hi)s::date, interval '1 day') AS d
),
revenue AS (
    SELECT d.account_id, d.day,
           COALESCE(SUM(s.annual_amount) FILTER (WHERE s.starts_on <= d.day
                                                  AND (s.ends_on IS NULL OR d.day < s.ends_on)), 0) AS arr,
           COALESCE(SUM(s.annual_amount) FILTER (WHERE s.starts_on <= d.day - %(revenue_lookback_days)s::int
                                                  AND (s.ends_on IS NULL
                                                       OR d.day - %(revenue_lookback_days)s::int < s.ends_on)),
                    0) AS arr_before
    FROM days d
    JOIN accounts_subscriptionspan s ON s.account_id = d.account_id
    WHERE d.day >= %(lo)s::date
    GROUP BY d.account_id, d.day
),
usage AS (
    SELECT d.account_id, d.day, d.seats, u.users, m.delta,
           -- the last active day before the series, for accounts quiet during all of it
           CASE WHEN d.day = %(lo)s::date - 29 THEN (
               SELECT MAX(b.day) FROM metrics_usageaccountday b
               WHERE b.account_id = d.account_id AND b.day < %(lo)s::date - 29
           ) END AS before_series
    FROM days d
    LEFT JOIN metrics_usageaccountday u ON u.account_id = d.account_id AND u.day = d.day
    LEFT JOIN _mau_delta m ON m.account_id = d.account_id AND m.day = d.day
),
windows AS (
    SELECT account_id, day, seats,
           COALESCE(users, 0) AS dau,
           SUM(COALESCE(delta, 0)) OVER upto AS mau,
           COALESCE(SUM(users) OVER last30, 0) AS dau_sum_30,
           COUNT(users) OVER last30 AS active_days_30,
           COALESCE(MAX(day) FILTER (WHERE users > 0) OVER upto, MAX(before_series) OVER upto) AS last_event_day
    FROM usage
    WINDOW upto AS (PARTITION BY account_id ORDER BY day ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW),
           last30 AS (PARTITION BY account_id ORDER BY day ROWS BETWEEN 29 PRECEDING AND CURRENT ROW)
)
SELECT w.account_id, w.day, o.csm_id, w.seats,
       COALESCE(r.arr, 0) AS arr, COALESCE(r.arr_before, 0) AS arr_before,
       w.dau, w.mau, w.dau_sum_30, w.active_days_30, w.last_event_day
FROM windows w
LEFT JOIN revenue r ON r.account_id = w.account_id AND r.day = w.day
LEFT JOIN accounts_accountownership o
  ON o.account_id = w.account_id AND o.valid_from <= w.day AND (o.valid_to IS NULL OR w.day < o.valid_to)
WHERE w.day >= %(lo)s::date;
ALTER TABLE _series ADD PRIMARY KEY (account_id, day);
ANALYZE _series;
DROP TABLE _mau_delta, _in_play;
