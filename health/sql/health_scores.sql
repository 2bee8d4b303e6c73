-- METRICS.md "Health score": the six components, the weighted score over the components that are not null,
-- status and the at-risk rule, for every account with ARR > 0 on each day of _hdays (from _account_day),
-- stored for the days of _days. Parameters: the model (HealthModel.sql_params) and %(tz)s.
CREATE TEMP TABLE _health ON COMMIT DROP AS
WITH scored AS (
    SELECT day, account_id, arr, active_days_30, mau, seats, last_event_day
    FROM _account_day
    WHERE arr > 0
),
sentiment AS (
    -- each contact's latest NPS score in the window; a response without a contact stands for a contact of its own
    SELECT day, account_id, 10 * AVG(score) AS sentiment
    FROM (
        SELECT DISTINCT ON (d.day, r.account_id, COALESCE(r.contact_id, -r.id))
               d.day, r.account_id, r.score
        FROM _hdays d
        JOIN surveys_surveyresponse r
          ON r.kind = 'nps'
         AND r.responded_at >= ((d.day - (%(sentiment_window_days)s::int - 1))::timestamp AT TIME ZONE %(tz)s)
         AND r.responded_at < ((d.day + 1)::timestamp AT TIME ZONE %(tz)s)
        ORDER BY d.day, r.account_id, COALESCE(r.contact_id, -r.id), r.responded_at DESC, r.id DESC
    ) latest
    GROUP BY day, account_id
),
support AS (
    SELECT d.day, t.account_id,
           COUNT(*) FILTER (WHERE t.priority IN ('high', 'urgent')) AS high,
           COUNT(*) FILTER (WHERE t.priority NOT IN ('high', 'urgent')) AS other
    FROM _hdays d
    JOIN accounts_ticket t
      ON t.created_at >= ((d.day - (%(support_window_days)s::int - 1))::timestamp AT TIME ZONE %(tz)s)
     AND t.created_at < ((d.day + 1)::timestamp AT TIME ZONE %(tz)s)
    GROUP BY d.day, t.account_id
),
revenue_before AS (
    SELECT d.day, s.account_id, SUM(s.annual_amount) AS arr
    FROM _hdays d
    JOIN accounts_subscriptionspan s
      ON s.starts_on <= d.day - %(revenue_lookback_days)s::int
     AND (s.ends_on IS NULL OR d.day - %(revenue_lookback_days)s::int < s.ends_on)
    GROUP BY d.day, s.account_id
),
components AS (
    SELECT s.day, s.account_id,
           100 * LEAST(1, s.active_days_30 / %(activity_target_days)s::float) AS activity,
           CASE WHEN s.seats > 0 THEN 100 * LEAST(1, s.mau / s.seats::float) END AS adoption,
           se.sentiment::float AS sentiment,
           GREATEST(0, 100 - %(support_high_penalty)s::float * COALESCE(su.high, 0)
                           - %(support_other_penalty)s::float * COALESCE(su.other, 0)) AS support,
           CASE WHEN rb.arr > 0 THEN
               CASE WHEN s.arr >= rb.arr THEN 100
                    ELSE GREATEST(0, 100 - %(revenue_drop_penalty)s::float * (1 - s.arr / rb.arr)::float) END
           END AS revenue,
           CASE WHEN s.last_event_day IS NULL THEN 0
                ELSE 100 * LEAST(1, GREATEST(0, (%(recency_zero_after_days)s::float - (s.day - s.last_event_day))
                                                / %(recency_ramp_days)s::float)) END AS recency
    FROM scored s
    LEFT JOIN sentiment se ON se.day = s.day AND se.account_id = s.account_id
    LEFT JOIN support su ON su.day = s.day AND su.account_id = s.account_id
    LEFT JOIN revenue_before rb ON rb.day = s.day AND rb.account_id = s.account_id
),
weighted AS (
    SELECT c.*,
           (COALESCE(%(w_activity)s * activity, 0) + COALESCE(%(w_adoption)s * adoption, 0)
            + COALESCE(%(w_sentiment)s * sentiment, 0) + COALESCE(%(w_support)s * support, 0)
            + COALESCE(%(w_revenue)s * revenue, 0) + COALESCE(%(w_recency)s * recency, 0))
           / NULLIF(
               CASE WHEN activity IS NULL THEN 0 ELSE %(w_activity)s END
               + CASE WHEN adoption IS NULL THEN 0 ELSE %(w_adoption)s END
               + CASE WHEN sentiment IS NULL THEN 0 ELSE %(w_sentiment)s END
               + CASE WHEN support IS NULL THEN 0 ELSE %(w_support)s END
               + CASE WHEN revenue IS NULL THEN 0 ELSE %(w_revenue)s END
               + CASE WHEN recency IS NULL THEN 0 ELSE %(w_recency)s END, 0) AS score
    FROM components c
)
SELECT w.*, round(w.score::numeric, 4) AS rounded
FROM weighted w
WHERE w.score IS NOT NULL;
CREATE INDEX ON _health (account_id, day);
ANALYZE _health;
DELETE FROM health_healthscore WHERE day IN (SELECT day FROM _days);
-- status and the drop rule use the score rounded to 4 decimals (half up), so 69.99999999 is green
INSERT INTO health_healthscore
    (day, account_id, model_id, score, status, at_risk, activity, adoption, sentiment, support, revenue, recency)
SELECT h.day, h.account_id, %(model_id)s, h.score,
       CASE WHEN h.rounded >= %(green_min)s THEN 'green' WHEN h.rounded >= %(yellow_min)s THEN 'yellow' ELSE 'red' END,
       h.rounded < %(yellow_min)s OR (before.rounded IS NOT NULL AND h.rounded <= before.rounded - %(drop_points)s),
       h.activity, h.adoption, h.sentiment, h.support, h.revenue, h.recency
FROM _health h
LEFT JOIN _health before ON before.account_id = h.account_id AND before.day = h.day - %(drop_days)s::int
WHERE h.day IN (SELECT day FROM _days);
DROP TABLE _health;
