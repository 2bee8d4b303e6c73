-- What the health components need beyond _series, for each scored account on each day of _hdays (few days, far
-- apart), each from its own window: tickets created in the support window (high or urgent, and the others),
-- and each contact's latest NPS score in the sentiment window (a response without a contact stands for a
-- contact of its own). Same output as health_inputs_series.sql: _health_inputs.
-- in: _hdays, _series, accounts_surveyresponse, accounts_ticket
-- out: _health_inputs
-- params: account_lo, account_hi, tz, support_window_days, sentiment_window_days
CREATE TEMP TABLE _health_inputs ON COMMIT DROP AS
WITH scored AS (
    SELECT account_id, day FROM _series WHERE arr > 0
),
support AS (
    SELECT d.day, t.account_id,
           COUNT(*) FILTER (WHERE t.priority IN ('high', 'urgent')) AS high,
           COUNT(*) FILTER (WHERE t.priority NOT IN ('high', 'urgent')) AS other
    FROM _hdays d
    JOIN accounts_ticket t
      ON t.created_at >= ((d.day - (%(support_window_days)s::int - 1))::timestamp AT TIME ZONE %(tz)s)
     AND t.created_at < ((d.day + 1)::timestamp AT TIME ZONE %(tz)s)
    WHERE t.account_id BETWEEN %(account_lo)s AND %(account_hi)s
    GROUP BY d.day, t.account_id
),
sentiment AS (
    SELECT day, account_id, SUM(score) AS nps_sum, COUNT(*) AS nps_people
    FROM (
        SELECT DISTINCT ON (d.day, r.account_id, COALESCE(r.contact_id, -r.id)) d.day, r.account_id, r.score
        FROM _hdays d
        JOIN accounts_surveyresponse r
          ON r.kind = 'nps'
         AND r.responded_at >= ((d.day - (%(sentiment_window_days)s::int - 1))::timestamp AT TIME ZONE %(tz)s)
         AND r.responded_at < ((d.day + 1)::timestamp AT TIME ZONE %(tz)s)
        WHERE r.account_id BETWEEN %(account_lo)s AND %(account_hi)s
        ORDER BY d.day, r.account_id, COALESCE(r.contact_id, -r.id), r.responded_at DESC, r.id DESC
    ) latest
    GROUP BY day, account_id
)
SELECT s.account_id, s.day,
       COALESCE(su.high, 0) AS high_tickets, COALESCE(su.other, 0) AS other_tickets,
       COALESCE(se.nps_sum, 0) AS nps_sum, COALESCE(se.nps_people, 0) AS nps_people
FROM scored s
LEFT JOIN support su ON su.account_id = s.account_id AND su.day = s.day
LEFT JOIN sentiment se ON se.account_id = s.account_id AND se.day = s.day;
ALTER TABLE _health_inputs ADD PRIMARY KEY (account_id, day);
