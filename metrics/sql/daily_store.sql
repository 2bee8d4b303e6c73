-- Store the series' days that are kept (_days) for the account range: every account that pays or was used in
-- the 30 days ending the day, with its health when it is scored (_health) and its lifecycle stage.
-- in: _days, _health, _series
-- out: metrics_accountday
-- params: account_lo, account_hi, model_id, onboarding_days, mature_days
DELETE FROM metrics_accountday
WHERE day IN (SELECT day FROM _days) AND account_id BETWEEN %(account_lo)s AND %(account_hi)s;
INSERT INTO metrics_accountday
    (day, account_id, csm_id, arr, dau, mau, dau_sum_30, active_days_30, seats, last_event_day,
     health_model_id, score, status, at_risk, activity, adoption, sentiment, support, revenue, recency,
     revenue_trend, stage)
SELECT s.day, s.account_id, s.csm_id, s.arr, s.dau, s.mau, s.dau_sum_30, s.active_days_30, s.seats,
       s.last_event_day,
       CASE WHEN h.score IS NOT NULL THEN %(model_id)s END, h.score, COALESCE(h.status, ''),
       COALESCE(h.at_risk, false), h.activity, h.adoption, h.sentiment, h.support, h.revenue, h.recency,
       h.revenue_trend, keel_account_stage(s.arr, s.first_paid, s.day, %(onboarding_days)s, %(mature_days)s)
FROM _series s
JOIN _days d ON d.day = s.day
LEFT JOIN _health h ON h.account_id = s.account_id AND h.day = s.day
WHERE s.arr > 0 OR s.mau > 0
ORDER BY s.day, s.account_id;
