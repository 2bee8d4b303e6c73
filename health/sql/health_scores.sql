-- METRICS.md "Health score" over the dense series of metrics/sql/daily_series.sql (_series: one row per account
-- and day of lo … hi): the six components, the weighted score over the components that are not null, the
-- status and the at-risk rule, for every account with ARR > 0 on each day. Output: _health.
-- Windows of days ("tickets created in the 30 days ending d", "latest NPS in the 180 days ending d") are
-- running sums of +/− where something starts and stops counting, so one pass serves every day.

-- support: a ticket counts on the support_window_days days from its local creation day.
CREATE TEMP TABLE _ticket_delta ON COMMIT DROP AS
WITH tickets AS (
    SELECT t.account_id, (t.created_at AT TIME ZONE %(tz)s)::date AS day,
           (t.priority IN ('high', 'urgent'))::int AS high, (t.priority NOT IN ('high', 'urgent'))::int AS other
    FROM accounts_ticket t
    JOIN (SELECT DISTINCT account_id FROM _series) s ON s.account_id = t.account_id
    WHERE t.created_at >= ((%(lo)s::date - (%(support_window_days)s::int - 1))::timestamp AT TIME ZONE %(tz)s)
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
-- until the contact's next response; a response without a contact stands for a contact of its own.
CREATE TEMP TABLE _sentiment_delta ON COMMIT DROP AS
WITH latest_of_day AS (
    SELECT DISTINCT ON (r.account_id, COALESCE(r.contact_id, -r.id), (r.responded_at AT TIME ZONE %(tz)s)::date)
           r.account_id, COALESCE(r.contact_id, -r.id) AS person,
           (r.responded_at AT TIME ZONE %(tz)s)::date AS day, r.score
    FROM surveys_surveyresponse r
    JOIN (SELECT DISTINCT account_id FROM _series) s ON s.account_id = r.account_id
    WHERE r.kind = 'nps'
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

CREATE TEMP TABLE _health ON COMMIT DROP AS
WITH running AS (
    SELECT s.*,
           SUM(COALESCE(t.high, 0)) OVER upto AS high_tickets,
           SUM(COALESCE(t.other, 0)) OVER upto AS other_tickets,
           SUM(COALESCE(n.score, 0)) OVER upto AS nps_sum,
           SUM(COALESCE(n.people, 0)) OVER upto AS nps_people
    FROM _series s
    LEFT JOIN _ticket_delta t ON t.account_id = s.account_id AND t.day = s.day
    LEFT JOIN _sentiment_delta n ON n.account_id = s.account_id AND n.day = s.day
    WINDOW upto AS (PARTITION BY s.account_id ORDER BY s.day ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
),
components AS (
    SELECT account_id, day,
           100 * LEAST(1, active_days_30 / %(activity_target_days)s::float) AS activity,
           CASE WHEN seats > 0 THEN 100 * LEAST(1, mau / seats::float) END AS adoption,
           CASE WHEN nps_people > 0 THEN 10 * nps_sum / nps_people::float END AS sentiment,
           GREATEST(0, 100 - %(support_high_penalty)s::float * high_tickets
                           - %(support_other_penalty)s::float * other_tickets) AS support,
           CASE WHEN arr_before > 0 THEN
               CASE WHEN arr >= arr_before THEN 100
                    ELSE GREATEST(0, 100 - %(revenue_drop_penalty)s::float * (1 - arr / arr_before)::float) END
           END AS revenue,
           CASE WHEN last_event_day IS NULL THEN 0
                ELSE 100 * LEAST(1, GREATEST(0, (%(recency_zero_after_days)s::float - (day - last_event_day))
                                                / %(recency_ramp_days)s::float)) END AS recency,
           arr > 0 AS scored
    FROM running
),
weighted AS (
    SELECT c.*,
           CASE WHEN scored THEN
               (COALESCE(%(w_activity)s * activity, 0) + COALESCE(%(w_adoption)s * adoption, 0)
                + COALESCE(%(w_sentiment)s * sentiment, 0) + COALESCE(%(w_support)s * support, 0)
                + COALESCE(%(w_revenue)s * revenue, 0) + COALESCE(%(w_recency)s * recency, 0))
               / NULLIF(
                   CASE WHEN activity IS NULL THEN 0 ELSE %(w_activity)s END
                   + CASE WHEN adoption IS NULL THEN 0 ELSE %(w_adoption)s END
                   + CASE WHEN sentiment IS NULL THEN 0 ELSE %(w_sentiment)s END
                   + CASE WHEN support IS NULL THEN 0 ELSE %(w_support)s END
                   + CASE WHEN revenue IS NULL THEN 0 ELSE %(w_revenue)s END
                   + CASE WHEN recency IS NULL THEN 0 ELSE %(w_recency)s END, 0)
           END AS score
    FROM components c
),
rounded AS (
    -- status and the drop rule use the score rounded to 4 decimals (half up), so 69.99999999 is green
    SELECT w.*, round(w.score::numeric, 4) AS rounded FROM weighted w
),
compared AS (
    -- the series has every day of every account, so drop_days rows back is drop_days days back
    SELECT r.*, LAG(rounded, %(drop_days)s::int) OVER (PARTITION BY account_id ORDER BY day) AS rounded_before
    FROM rounded r
)
SELECT account_id, day, score, activity, adoption, sentiment, support, revenue, recency,
       CASE WHEN rounded >= %(green_min)s THEN 'green' WHEN rounded >= %(yellow_min)s THEN 'yellow' ELSE 'red' END
           AS status,
       rounded < %(yellow_min)s OR COALESCE(rounded <= rounded_before - %(drop_points)s, false) AS at_risk
FROM compared
WHERE score IS NOT NULL;
ALTER TABLE _health ADD PRIMARY KEY (account_id, day);
DROP TABLE _ticket_delta, _sentiment_delta;
