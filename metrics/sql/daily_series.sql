-- The daily values of every account of one account range on every day of lo … hi, as a dense series (one row
-- per account and day, 29 days of lookback included) so that every "30 days ending d" is a window frame of 30
-- rows and a long run of days costs one pass over the rollups instead of one pass per day. Same output as
-- daily_points.sql: _series, read next by the health step.
-- METRICS.md "Revenue" (ARR on d and on d − revenue lookback), "Product usage" (dau, mau, Σ dau over the 30
-- days, active_days_30, the last event day), the highest ARR of d − revenue trend days … d (`arr_peak`, for the
-- revenue trend) and the first day the account had MRR (`first_paid`, for its lifecycle stage). Quantities that
-- start and stop (a span's ARR, a user's 30-day cover, the peak) are running sums of +/− where they change,
-- folded into the first day of the series.
-- in: accounts_account, accounts_accountownership, accounts_subscriptionspan, metrics_usageaccountday, metrics_usageuserday
-- out: _series
-- params: lo, hi, account_lo, account_hi, revenue_lookback_days, revenue_trend_days
CREATE TEMP TABLE _in_play ON COMMIT DROP AS
SELECT a.id AS account_id, a.seats,
       (SELECT MIN(s.starts_on) FROM accounts_subscriptionspan s WHERE s.account_id = a.id AND s.annual_amount > 0)
           AS first_paid
FROM accounts_account a
WHERE a.id BETWEEN %(account_lo)s AND %(account_hi)s
  AND (
      EXISTS (SELECT 1 FROM accounts_subscriptionspan s
              WHERE s.account_id = a.id AND s.starts_on <= %(hi)s::date
                AND (s.ends_on IS NULL OR s.ends_on > %(lo)s::date - %(revenue_lookback_days)s::int
                     OR s.ends_on > %(lo)s::date - %(revenue_trend_days)s::int))
      OR EXISTS (SELECT 1 FROM metrics_usageaccountday u
                 WHERE u.account_id = a.id AND u.day BETWEEN %(lo)s::date - 29 AND %(hi)s::date)
  );
ALTER TABLE _in_play ADD PRIMARY KEY (account_id);
ANALYZE _in_play;

CREATE TEMP TABLE _deltas ON COMMIT DROP AS
WITH bounds AS (
    SELECT %(lo)s::date - 29 AS first_day, %(hi)s::date AS last_day, %(revenue_lookback_days)s::int AS lookback,
           %(revenue_trend_days)s::int AS trend
),
spans AS (
    SELECT s.account_id, s.starts_on, COALESCE(s.ends_on, 'infinity'::date) AS ends_on, s.annual_amount
    FROM accounts_subscriptionspan s
    JOIN _in_play p ON p.account_id = s.account_id
),
active AS (
    -- mau: a user counts on the 30 days from each of their active days. Only gaps of 30 days or more change
    -- the count: +1 where a user's cover starts after such a gap (or at their first day in the series), −1 30
    -- days after their last day before one. Covers that start before lo − 29 end before lo.
    SELECT u.account_id, u.day,
           LAG(u.day) OVER by_user AS previous_day,
           LEAD(u.day) OVER by_user AS next_day
    FROM metrics_usageuserday u
    JOIN _in_play p ON p.account_id = u.account_id
    WHERE u.day BETWEEN %(lo)s::date - 29 AND %(hi)s::date
    WINDOW by_user AS (PARTITION BY u.account_id, u.user_id ORDER BY u.day)
),
levels AS (
    -- the revenue trend's peak: ARR is a step function that changes only where a span starts or ends. Each step
    -- (from `day` to `next_day`, value `arr`; the one covering first_day − trend starts there) counts in the
    -- peak of the days whose window d − trend … d overlaps it: day … next_day + trend − 1.
    SELECT account_id, day, SUM(SUM(delta)) OVER by_day AS arr, LEAD(day) OVER by_day AS next_day
    FROM (
        SELECT account_id, GREATEST(starts_on, first_day - trend) AS day, annual_amount AS delta
        FROM spans, bounds WHERE starts_on <= last_day AND ends_on > first_day - trend
        UNION ALL
        SELECT account_id, ends_on, -annual_amount
        FROM spans, bounds WHERE ends_on > first_day - trend AND ends_on <= last_day
    ) c
    GROUP BY account_id, day
    WINDOW by_day AS (PARTITION BY account_id ORDER BY day)
),
peak_changes AS (
    -- the peak can change only where a step starts counting or stops: there, the highest step counting
    SELECT b.account_id, b.day, MAX(l.arr) AS peak
    FROM (
        SELECT account_id, GREATEST(day, first_day) AS day FROM levels, bounds
        UNION
        SELECT account_id, GREATEST(next_day + trend, first_day) FROM levels, bounds
        WHERE next_day + trend <= last_day
    ) b
    JOIN levels l
      ON l.account_id = b.account_id AND l.day <= b.day
     AND (l.next_day IS NULL OR b.day < l.next_day + %(revenue_trend_days)s::int)
    GROUP BY b.account_id, b.day
)
SELECT account_id, day, SUM(arr) AS arr, SUM(arr_before) AS arr_before, SUM(arr_peak) AS arr_peak,
       SUM(mau)::int AS mau
FROM (
    SELECT account_id, GREATEST(starts_on, first_day) AS day, annual_amount AS arr, 0 AS arr_before,
           0 AS arr_peak, 0 AS mau
    FROM spans, bounds WHERE starts_on <= last_day AND ends_on > first_day
    UNION ALL
    SELECT account_id, ends_on, -annual_amount, 0, 0, 0
    FROM spans, bounds WHERE ends_on > first_day AND ends_on <= last_day
    UNION ALL
    SELECT account_id, GREATEST(starts_on + lookback, first_day), 0, annual_amount, 0, 0
    FROM spans, bounds WHERE starts_on + lookback <= last_day AND ends_on + lookback > first_day
    UNION ALL
    SELECT account_id, ends_on + lookback, 0, -annual_amount, 0, 0
    FROM spans, bounds WHERE ends_on + lookback > first_day AND ends_on + lookback <= last_day
    UNION ALL
    SELECT account_id, day, 0, 0, peak - LAG(peak, 1, 0::numeric) OVER (PARTITION BY account_id ORDER BY day), 0
    FROM peak_changes
    UNION ALL
    SELECT account_id, day, 0, 0, 0, 1 FROM active WHERE previous_day IS NULL OR day - previous_day >= 30
    UNION ALL
    SELECT account_id, day + 30, 0, 0, 0, -1
    FROM active, bounds WHERE (next_day IS NULL OR next_day - day >= 30) AND day + 30 <= last_day
) d
GROUP BY account_id, day;
ALTER TABLE _deltas ADD PRIMARY KEY (account_id, day);

CREATE TEMP TABLE _series ON COMMIT DROP AS
WITH days AS (
    -- in (account, day) order, which the joins on the rollups' keys and the windows below all use
    SELECT p.account_id, p.seats, p.first_paid, %(lo)s::date - 29 + n AS day
    FROM _in_play p
    CROSS JOIN generate_series(0, %(hi)s::date - %(lo)s::date + 29) AS n
    ORDER BY p.account_id, day
),
quiet_before AS MATERIALIZED (
    -- the last active day before the series, for accounts quiet during all of it
    SELECT p.account_id,
           (SELECT MAX(b.day) FROM metrics_usageaccountday b
            WHERE b.account_id = p.account_id AND b.day < %(lo)s::date - 29) AS day
    FROM _in_play p
),
windows AS (
    SELECT d.account_id, d.day, d.seats, d.first_paid,
           SUM(COALESCE(x.arr, 0)) OVER upto AS arr,
           SUM(COALESCE(x.arr_before, 0)) OVER upto AS arr_before,
           SUM(COALESCE(x.arr_peak, 0)) OVER upto AS arr_peak,
           COALESCE(u.users, 0) AS dau,
           SUM(COALESCE(x.mau, 0)) OVER upto AS mau,
           COALESCE(SUM(u.users) OVER last30, 0) AS dau_sum_30,
           COUNT(u.users) OVER last30 AS active_days_30,
           MAX(u.day) OVER upto AS last_active_day
    FROM days d
    LEFT JOIN _deltas x ON x.account_id = d.account_id AND x.day = d.day
    LEFT JOIN metrics_usageaccountday u ON u.account_id = d.account_id AND u.day = d.day
    WINDOW upto AS (PARTITION BY d.account_id ORDER BY d.day ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW),
           last30 AS (PARTITION BY d.account_id ORDER BY d.day ROWS BETWEEN 29 PRECEDING AND CURRENT ROW)
)
SELECT w.account_id, w.day, o.csm_id, w.seats, w.arr, w.arr_before, w.arr_peak, w.first_paid, w.dau, w.mau,
       w.dau_sum_30, w.active_days_30, COALESCE(w.last_active_day, q.day) AS last_event_day
FROM windows w
JOIN quiet_before q ON q.account_id = w.account_id
LEFT JOIN accounts_accountownership o
  ON o.account_id = w.account_id AND o.valid_from <= w.day AND (o.valid_to IS NULL OR w.day < o.valid_to)
WHERE w.day >= %(lo)s::date;
ALTER TABLE _series ADD PRIMARY KEY (account_id, day);
ANALYZE _series;
DROP TABLE _deltas, _in_play;
