-- What the health components need beyond _series, for every scored account on every day of the dense series
-- lo … hi: tickets created in the support window (high or urgent, and the others), and each contact's latest
-- NPS score in the sentiment window (a response without a contact stands for a contact of its own).
-- Windows of days are running sums of +/− where something starts and stops counting, so one pass serves every
-- day. Same output as health_inputs_points.sql: _health_inputs.
-- in: _series, accounts_surveyresponse, accounts_ticket
-- out: _health_inputs
-- params: lo, hi, account_lo, account_hi, tz, support_window_days, sentiment_window_days

-- support: a ticket counts on the support_window_days days from its local creation day.
CREATE TEMP TABLE _ticket_delta ON COMMIT DROP AS
WITH tickets AS (
    SELECT t.account_id, (t.created_at AT TIME ZONE %(tz)s)::date AS day,
           (t.priority IN ('high', 'urgent'))::int AS high, (t.priority NOT IN ('high', 'urgent'))::int AS other
    FROM accounts_ticket t
    WHERE t.account_id BETWEEN %(account_lo)s AND %(account_hi)s
      AND t.created_at >= ((%(lo)s::date - (%(support_window_days)s::int - 1))::timestamp AT TIME ZONE %(tz)s)
      AND t.created_at < ((%(hi)s::date + 1)::timestamp AT TIME ZONE %(tz)s)
)
SELECT account_id, day, SUM(high)::int AS high, SUM(other)::int AS other
FROM (
    SELECT account_id, GREATEST(day, %(lo)s::date) AS day, high, other FROM tickets
    UNION ALL
    SELECT account_id, day + %(support_window_days)s::int, -high, -other FROM tickets
    WHERE day + %(support_window_days)s::int <= %(hi)s::date
) d
GROUP BY account_id, day;
ALTER TABLE _ticket_delta ADD PRIMARY KEY (account_id, day);

-- sentiment: each contact's latest NPS score counts from its local day for sentiment_window_days days, or
-- until the contact's next response (the latest of a day wins).
CREATE TEMP TABLE _sentiment_delta ON COMMIT DROP AS
WITH latest_of_day AS (
    SELECT DISTINCT ON (r.account_id, COALESCE(r.contact_id, -r.id), (r.responded_at AT TIME ZONE %(tz)s)::date)
           r.account_id, COALESCE(r.contact_id, -r.id) AS person,
           (r.responded_at AT TIME ZONE %(tz)s)::date AS day, r.score
    FROM accounts_surveyresponse r
    WHERE r.kind = 'nps'
      AND r.account_id BETWEEN %(account_lo)s AND %(account_hi)s
      AND r.responded_at >= ((%(lo)s::date - (%(sentiment_window_days)s::int - 1))::timestamp AT TIME ZONE %(tz)s)
      AND r.responded_at < ((%(hi)s::date + 1)::timestamp AT TIME ZONE %(tz)s)
    ORDER BY r.account_id, COALESCE(r.contact_id, -r.id), (r.responded_at AT TIME ZONE %(tz)s)::date,
             r.responded_at DESC, r.id DESC
),
covers AS (
    SELECT account_id, day, score,
           LEAST(COALESCE(LEAD(day) OVER (PARTITION BY account_id, person ORDER BY day),
                          day + %(sentiment_window_days)s::int),
                 day + %(sentiment_window_days)s::int) AS ends
    FROM latest_of_day
)
SELECT account_id, day, SUM(score)::int AS score, SUM(people)::int AS people
FROM (
    SELECT account_id, GREATEST(day, %(lo)s::date) AS day, score, 1 AS people FROM covers WHERE ends > %(lo)s::date
    UNION ALL
    SELECT account_id, ends, -score, -1 FROM covers WHERE ends > %(lo)s::date AND ends <= %(hi)s::date
) d
GROUP BY account_id, day;
ALTER TABLE _sentiment_delta ADD PRIMARY KEY (account_id, day);

CREATE TEMP TABLE _health_inputs ON COMMIT DROP AS
WITH running AS (
    SELECT s.account_id, s.day, s.arr,
           SUM(COALESCE(t.high, 0)) OVER upto AS high_tickets,
           SUM(COALESCE(t.other, 0)) OVER upto AS other_tickets,
           SUM(COALESCE(n.score, 0)) OVER upto AS nps_sum,
           SUM(COALESCE(n.people, 0)) OVER upto AS nps_people
    FROM _series s
    LEFT JOIN _ticket_delta t ON t.account_id = s.account_id AND t.day = s.day
    LEFT JOIN _sentiment_delta n ON n.account_id = s.account_id AND n.day = s.day
    WINDOW upto AS (PARTITION BY s.account_id ORDER BY s.day ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
)
SELECT account_id, day, high_tickets, other_tickets, nps_sum, nps_people FROM running WHERE arr > 0;
ALTER TABLE _health_inputs ADD PRIMARY KEY (account_id, day);
DROP TABLE _ticket_delta, _sentiment_delta;
