-- Rebuild the usage rollups of the local days %(days)s (first … last) from the raw events (METRICS.md "Product
-- usage": a user is active on a day when they have at least one event that day, whatever its count).
-- The account-day rows are keyed by account first; the user-day rows of the same days say which ones exist.
-- in: accounts_account, accounts_usageevent
-- out: metrics_firsteventday, metrics_usageaccountday, metrics_usageeventday, metrics_usageuserday
-- params: days, first, last, tz
DELETE FROM metrics_usageaccountday a
USING (SELECT DISTINCT account_id, day FROM metrics_usageuserday WHERE day = ANY(%(days)s::date[])) old
WHERE a.account_id = old.account_id AND a.day = old.day;
DELETE FROM metrics_usageuserday WHERE day = ANY(%(days)s::date[]);
DELETE FROM metrics_usageeventday WHERE day = ANY(%(days)s::date[]);
-- Each account's events of the days as a range of accounts_usageevent's key (account_id, occurred_at, …): the
-- table has no index on occurred_at alone (see UsageEvent), and a range per account reads only those days.
CREATE TEMP TABLE _day_events ON COMMIT DROP AS
SELECT e.account_id, e.user_id, e.event, (e.occurred_at AT TIME ZONE %(tz)s)::date AS day
FROM accounts_account a
CROSS JOIN LATERAL (
    SELECT u.account_id, u.user_id, u.event, u.occurred_at FROM accounts_usageevent u
    WHERE u.account_id = a.id
      AND u.occurred_at >= (%(first)s::date::timestamp AT TIME ZONE %(tz)s)
      AND u.occurred_at < ((%(last)s::date + 1)::timestamp AT TIME ZONE %(tz)s)
) e
WHERE (e.occurred_at AT TIME ZONE %(tz)s)::date = ANY(%(days)s::date[]);
ANALYZE _day_events;
INSERT INTO metrics_usageuserday (day, account_id, user_id)
SELECT DISTINCT day, account_id, user_id FROM _day_events ORDER BY day, account_id, user_id;
INSERT INTO metrics_usageaccountday (account_id, day, users)
SELECT account_id, day, COUNT(DISTINCT user_id) FROM _day_events GROUP BY account_id, day ORDER BY account_id, day;
INSERT INTO metrics_usageeventday (day, account_id, event)
SELECT DISTINCT day, account_id, event FROM _day_events ORDER BY day, account_id, event;
-- Events are never removed, so the first day of an (account, event) can only move earlier. In key order, so
-- that chunks of days rebuilt at the same time lock the rows they share in the same order.
INSERT INTO metrics_firsteventday (account_id, event, day)
SELECT account_id, event, MIN(day) FROM _day_events GROUP BY account_id, event ORDER BY account_id, event
ON CONFLICT (account_id, event) DO UPDATE SET day = LEAST(metrics_firsteventday.day, excluded.day)
WHERE excluded.day < metrics_firsteventday.day;
DROP TABLE _day_events;
