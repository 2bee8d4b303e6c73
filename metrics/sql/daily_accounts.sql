-- Account-day values for every day in _hdays (the days to store, _days, and the days their health compares
-- with) into _account_day, then stored for _days: every account that pays (ARR > 0) or was used in the 30 days
-- ending that day, with ARR, owner and METRICS.md "Product usage" (dau, mau, Σ dau over the 30 days for
-- stickiness, active_days_30, the last event day for days_since_last_event).
CREATE TEMP TABLE _account_day ON COMMIT DROP AS
WITH revenue AS (
    SELECT d.day, s.account_id, SUM(s.annual_amount) AS arr
    FROM _hdays d
    JOIN accounts_subscriptionspan s ON s.starts_on <= d.day AND (s.ends_on IS NULL OR d.day < s.ends_on)
    GROUP BY d.day, s.account_id
),
activity AS (
    SELECT d.day, u.account_id,
           COUNT(*) FILTER (WHERE u.day = d.day) AS dau,
           COUNT(DISTINCT u.user_id) AS mau,
           COUNT(*) AS dau_sum_30,
           COUNT(DISTINCT u.day) AS active_days_30,
           MAX(u.day) AS last_event_day
    FROM _hdays d
    JOIN metrics_usageuserday u ON u.day BETWEEN d.day - 29 AND d.day
    GROUP BY d.day, u.account_id
),
accounts AS (
    SELECT COALESCE(r.day, a.day) AS day, COALESCE(r.account_id, a.account_id) AS account_id,
           COALESCE(r.arr, 0) AS arr, COALESCE(a.dau, 0) AS dau, COALESCE(a.mau, 0) AS mau,
           COALESCE(a.dau_sum_30, 0) AS dau_sum_30, COALESCE(a.active_days_30, 0) AS active_days_30,
           a.last_event_day
    FROM revenue r
    FULL JOIN activity a ON a.day = r.day AND a.account_id = r.account_id
    WHERE r.arr > 0 OR a.mau > 0
)
SELECT x.day, x.account_id, o.csm_id, x.arr, x.dau, x.mau, x.dau_sum_30, x.active_days_30, acc.seats,
       COALESCE(x.last_event_day, (
           -- no event in the window: the latest one before it, from the rollup's (account, day) index
           SELECT MAX(u.day) FROM metrics_usageuserday u WHERE u.account_id = x.account_id AND u.day <= x.day
       )) AS last_event_day
FROM accounts x
JOIN accounts_account acc ON acc.id = x.account_id
LEFT JOIN accounts_accountownership o
  ON o.account_id = x.account_id AND o.valid_from <= x.day AND (o.valid_to IS NULL OR x.day < o.valid_to);
CREATE INDEX ON _account_day (account_id, day);
ANALYZE _account_day;
DELETE FROM metrics_accountday WHERE day IN (SELECT day FROM _days);
INSERT INTO metrics_accountday
    (day, account_id, csm_id, arr, dau, mau, dau_sum_30, active_days_30, seats, last_event_day)
SELECT day, account_id, csm_id, arr, dau, mau, dau_sum_30, active_days_30, seats, last_event_day
FROM _account_day
WHERE day IN (SELECT day FROM _days);
