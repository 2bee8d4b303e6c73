-- METRICS.md "Health score" for every scored account (ARR > 0) on every day of _series: the six components from
-- _series and _health_inputs, the weighted score over the components that are not null, the status and the
-- at-risk rule (against the score drop_days before: computed alongside, or stored when the day before already
-- has its snapshot and is not part of this run). Output:
-- _health. Parameters: the model (HealthModel.sql_params).
CREATE TEMP TABLE _scores ON COMMIT DROP AS
WITH components AS (
    SELECT s.account_id, s.day,
           100 * LEAST(1, s.active_days_30 / %(activity_target_days)s::float) AS activity,
           CASE WHEN s.seats > 0 THEN 100 * LEAST(1, s.mau / s.seats::float) END AS adoption,
           CASE WHEN i.nps_people > 0 THEN 10 * i.nps_sum / i.nps_people::float END AS sentiment,
           GREATEST(0, 100 - %(support_high_penalty)s::float * i.high_tickets
                           - %(support_other_penalty)s::float * i.other_tickets) AS support,
           CASE WHEN s.arr_before > 0 THEN
               CASE WHEN s.arr >= s.arr_before THEN 100
                    ELSE GREATEST(0, 100 - %(revenue_drop_penalty)s::float * (1 - s.arr / s.arr_before)::float) END
           END AS revenue,
           CASE WHEN s.last_event_day IS NULL THEN 0
                ELSE 100 * LEAST(1, GREATEST(0, (%(recency_zero_after_days)s::float - (s.day - s.last_event_day))
                                                / %(recency_ramp_days)s::float)) END AS recency
    FROM _series s
    JOIN _health_inputs i ON i.account_id = s.account_id AND i.day = s.day
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
-- status and the drop rule use the score rounded to 4 decimals (half up), so 69.99999999 is green
SELECT w.*, round(w.score::numeric, 4) AS rounded FROM weighted w WHERE w.score IS NOT NULL;
ALTER TABLE _scores ADD PRIMARY KEY (account_id, day);
-- The scores the drop rule compares with: computed here, or, for the days in %(stored_before)s (the nightly
-- day's d − drop_days, already stored), as they were stored.
CREATE TEMP TABLE _before ON COMMIT DROP AS
SELECT account_id, day, rounded FROM _scores
UNION ALL
SELECT account_id, day, round(score::numeric, 4)
FROM metrics_accountday
WHERE day = ANY(%(stored_before)s::date[]) AND score IS NOT NULL
  AND account_id BETWEEN %(account_lo)s AND %(account_hi)s;
ALTER TABLE _before ADD PRIMARY KEY (account_id, day);
CREATE TEMP TABLE _health ON COMMIT DROP AS
SELECT h.account_id, h.day, h.score, h.activity, h.adoption, h.sentiment, h.support, h.revenue, h.recency,
       CASE WHEN h.rounded >= %(green_min)s THEN 'green' WHEN h.rounded >= %(yellow_min)s THEN 'yellow' ELSE 'red' END
           AS status,
       h.rounded < %(yellow_min)s OR COALESCE(h.rounded <= before.rounded - %(drop_points)s, false) AS at_risk
FROM _scores h
LEFT JOIN _before before ON before.account_id = h.account_id AND before.day = h.day - %(drop_days)s::int;
ALTER TABLE _health ADD PRIMARY KEY (account_id, day);
DROP TABLE _scores, _before, _health_inputs;
