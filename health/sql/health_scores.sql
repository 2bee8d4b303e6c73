-- METRICS.md "Health score" for every scored account (ARR > 0) on every day of _series: the seven components from
-- _series and _health_inputs, then the score, the status and the at-risk rule (against the score drop_days
-- before: computed alongside, or stored, from _stored_before, when that day has its snapshot already and is not
-- part of this run) through the functions that every statement scoring accounts calls (keel_health_*:
-- health/migrations/0005, 0008). With the model's onboarding rules on, an onboarding account (keel_account_stage)
-- has its activity target pro-rated to its tenure, no recency before its first event, no revenue components, and
-- is never at risk. Parameters: the model (HealthModel.sql_params).
-- in: _health_inputs, _series, _stored_before
-- out: _health
-- params: activity_target_days, support_high_penalty, support_other_penalty, revenue_drop_penalty, recency_zero_after_days, recency_ramp_days, revenue_trend_penalty, onboarding_rules, onboarding_days, mature_days, weights, denominators, green_min, yellow_min, drop_points, drop_days
CREATE TEMP TABLE _scores ON COMMIT DROP AS
SELECT * FROM (
    SELECT c.*,
           keel_health_score(c.activity, c.adoption, c.sentiment, c.support, c.revenue, c.recency, c.revenue_trend,
                             %(weights)s::float8[], %(denominators)s::float8[]) AS score
    FROM (
        SELECT s.account_id, s.day, o.onboarding,
               CASE WHEN o.onboarding THEN
                        100 * LEAST(1, s.active_days_30 / (%(activity_target_days)s::float
                                                           * LEAST(30, s.day - s.first_paid + 1) / 30))
                    ELSE 100 * LEAST(1, s.active_days_30 / %(activity_target_days)s::float) END AS activity,
               CASE WHEN s.seats > 0 THEN 100 * LEAST(1, s.mau / s.seats::float) END AS adoption,
               CASE WHEN i.nps_people > 0 THEN 10 * i.nps_sum / i.nps_people::float END AS sentiment,
               GREATEST(0, 100 - %(support_high_penalty)s::float * i.high_tickets
                               - %(support_other_penalty)s::float * i.other_tickets) AS support,
               CASE WHEN s.arr_before > 0 AND NOT o.onboarding THEN
                   CASE WHEN s.arr >= s.arr_before THEN 100
                        ELSE GREATEST(0, 100 - %(revenue_drop_penalty)s::float * (1 - s.arr / s.arr_before)::float) END
               END AS revenue,
               CASE WHEN s.last_event_day IS NULL THEN CASE WHEN NOT o.onboarding THEN 0 END
                    ELSE 100 * LEAST(1, GREATEST(0, (%(recency_zero_after_days)s::float - (s.day - s.last_event_day))
                                                    / %(recency_ramp_days)s::float)) END AS recency,
               CASE WHEN s.arr_peak > 0 AND NOT o.onboarding THEN
                   GREATEST(0, 100 - %(revenue_trend_penalty)s::float * ((s.arr_peak - s.arr) / s.arr_peak)::float)
               END AS revenue_trend
        FROM _series s
        JOIN _health_inputs i ON i.account_id = s.account_id AND i.day = s.day
        CROSS JOIN LATERAL (
            SELECT COALESCE(%(onboarding_rules)s::float = 1
                            AND keel_account_stage(s.arr, s.first_paid, s.day, %(onboarding_days)s, %(mature_days)s)
                                = 'onboarding', false) AS onboarding
        ) o
        OFFSET 0  -- a fence: the components are computed once a row, and the score reads them as columns
    ) c
) scored
WHERE score IS NOT NULL;
ALTER TABLE _scores ADD PRIMARY KEY (account_id, day);
CREATE TEMP TABLE _health ON COMMIT DROP AS
SELECT h.account_id, h.day, h.score, h.activity, h.adoption, h.sentiment, h.support, h.revenue, h.recency,
       h.revenue_trend, keel_health_status(h.score, %(green_min)s, %(yellow_min)s) AS status,
       NOT h.onboarding
       AND keel_health_at_risk(h.score, COALESCE(computed.score, stored.score), %(yellow_min)s, %(drop_points)s)
           AS at_risk
FROM _scores h
LEFT JOIN _scores computed ON computed.account_id = h.account_id AND computed.day = h.day - %(drop_days)s::int
LEFT JOIN _stored_before stored ON stored.account_id = h.account_id AND stored.day = h.day - %(drop_days)s::int;
ALTER TABLE _health ADD PRIMARY KEY (account_id, day);
DROP TABLE _scores;
