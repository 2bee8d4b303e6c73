-- The health figures the months' rows hold now, kept through their replacement (monthly_store.sql): they come
-- from the daily rows of as_of, which this pipeline run may still be computing beside the months, so the last
-- step recomputes them (monthly_health_update.sql). Until then, and if a step in between fails, a month shows
-- the figures it showed before. Must run before the months' rows are deleted.
-- in: _months, metrics_monthlykpi
-- out: _kpi_health
CREATE TEMP TABLE _kpi_health ON COMMIT DROP AS
SELECT k.month, k.scope, k.csm_id, k.segment, k.at_risk_arr, k.health_scored, k.health_green, k.health_yellow,
       k.health_red, k.health_onboarding, k.health_score_sum, k.usage_dau_sum_30, k.usage_mau
FROM metrics_monthlykpi k
JOIN _months m ON m.month = k.month;
