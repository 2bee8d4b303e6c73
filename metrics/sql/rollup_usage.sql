-- Rebuild the usage rollups of the local days in _rollup_days from the raw events (METRICS.md "Product usage":
-- a user is active on a day when they have at least one event that day, whatever its count).
DELETE FROM metrics_usageuserday WHERE day IN (SELECT day FROM _rollup_days);
DELETE FROM metrics_usageeventday WHERE day IN (SELECT day FROM _rollup_days);
DELETE FROM metrics_usageaccountday WHERE day IN (SELECT day FROM _rollup_days);
CREATE TEMP TABLE _day_events ON COMMIT DROP AS
SELECT e.account_id, e.user_id, e.event, (e.occurred_at AT TIME ZONE %(tz)s)::date AS day
FROM _rollup_days d
JOIN accounts_usageevent e
  ON e.occurred_at >= (d.day::timestamp AT TIME ZONE %(tz)s)
 AND e.occurred_at < ((d.day + 1)::timestamp AT TIME ZONE %(tz)s);
INSERT INTO metrics_usageuserday (day, account_id, user_id)
SELECT DISTINCT day, account_id, user_id FROM _day_events ORDER BY day, account_id, user_id;
INSERT INTO metrics_usageaccountday (account_id, day, users)
SELECT account_id, day, COUNT(*) FROM metrics_usageuserday
WHERE day IN (SELECT day FROM _rollup_days)
GROUP BY account_id, day ORDER BY account_id, day;
INSERT INTO metrics_usageeventday (day, account_id, event)
SELECT DISTINCT day, account_id, event FROM _day_events ORDER BY day, account_id, event;
-- Events are never removed, so the first day of an (account, event) can only move earlier.
-- In key order, so that chunks of days rebuilt at the same time lock the rows they share in the same order.
INSERT INTO metrics_firsteventday (account_id, event, day)
SELECT account_id, event, MIN(day) FROM _day_events GROUP BY account_id, event ORDER BY account_id, event
ON CONFLICT (account_id, event) DO UPDATE SET day = LEAST(metrics_firsteventday.day, excluded.day);
DROP TABLE _day_events;
