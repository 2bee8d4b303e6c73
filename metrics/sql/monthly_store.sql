-- The month rows: every group of _groups with the columns each KPI family computed for it (a group a family
-- has nothing for gets its zeros and nulls). One INSERT, so a recomputed month is written once, not updated
-- once per family. The COALESCEs make the joins hashable; IS NOT DISTINCT FROM keeps null and '' apart.
-- in: _groups, _kpi_health, _kpi_ltv, _kpi_renewals, _kpi_revenue, _kpi_spend, _kpi_support, _kpi_usage, _kpi_voice, _months
-- out: metrics_monthlykpi
DELETE FROM metrics_monthlykpi WHERE month IN (SELECT month FROM _months);
INSERT INTO metrics_monthlykpi (
    month, scope, csm_id, segment, as_of, computed_at,
    arr, arr_start, new_arr, reactivation_arr, expansion_arr, contraction_arr, churned_arr, customers,
    customers_start, new_customers, reactivated_customers, expanded_customers, contracted_customers,
    churned_customers, cohort_arr_base, cohort_arr_now, cohort_arr_kept, logo_churn_mean_6m, renewals_due,
    renewals_renewed, renewal_arr_due, renewal_arr_kept, spend, nps_responses, nps_promoters, nps_detractors,
    csat_responses, csat_satisfied, ces_responses, ces_score_sum, ces_easy, nps_responses_90d,
    nps_promoters_90d, nps_detractors_90d, csat_responses_90d, csat_satisfied_90d, ces_responses_90d,
    ces_score_sum_90d, ces_easy_90d, tickets_created, tickets_resolved, median_first_response_hours,
    median_resolution_hours, fcr_resolved, fcr_known, open_tickets, active_accounts, feature_customers,
    time_to_value_days, at_risk_arr, health_scored, health_green, health_yellow, health_red, health_score_sum,
    usage_dau_sum_30, usage_mau, health_onboarding
)
SELECT g.month, g.scope, g.csm_id, g.segment, g.as_of, now(),
    COALESCE(f_revenue.arr, 0), COALESCE(f_revenue.arr_start, 0), COALESCE(f_revenue.new_arr, 0),
    COALESCE(f_revenue.reactivation_arr, 0), COALESCE(f_revenue.expansion_arr, 0),
    COALESCE(f_revenue.contraction_arr, 0), COALESCE(f_revenue.churned_arr, 0),
    COALESCE(f_revenue.customers, 0), COALESCE(f_revenue.customers_start, 0),
    COALESCE(f_revenue.new_customers, 0), COALESCE(f_revenue.reactivated_customers, 0),
    COALESCE(f_revenue.expanded_customers, 0), COALESCE(f_revenue.contracted_customers, 0),
    COALESCE(f_revenue.churned_customers, 0), COALESCE(f_revenue.cohort_arr_base, 0),
    COALESCE(f_revenue.cohort_arr_now, 0), COALESCE(f_revenue.cohort_arr_kept, 0), f_ltv.logo_churn_mean_6m,
    COALESCE(f_renewals.renewals_due, 0), COALESCE(f_renewals.renewals_renewed, 0),
    COALESCE(f_renewals.renewal_arr_due, 0), COALESCE(f_renewals.renewal_arr_kept, 0), f_spend.spend,
    COALESCE(f_voice.nps_responses, 0), COALESCE(f_voice.nps_promoters, 0),
    COALESCE(f_voice.nps_detractors, 0), COALESCE(f_voice.csat_responses, 0),
    COALESCE(f_voice.csat_satisfied, 0), COALESCE(f_voice.ces_responses, 0),
    COALESCE(f_voice.ces_score_sum, 0), COALESCE(f_voice.ces_easy, 0),
    COALESCE(f_voice.nps_responses_90d, 0), COALESCE(f_voice.nps_promoters_90d, 0),
    COALESCE(f_voice.nps_detractors_90d, 0), COALESCE(f_voice.csat_responses_90d, 0),
    COALESCE(f_voice.csat_satisfied_90d, 0), COALESCE(f_voice.ces_responses_90d, 0),
    COALESCE(f_voice.ces_score_sum_90d, 0), COALESCE(f_voice.ces_easy_90d, 0),
    COALESCE(f_support.tickets_created, 0), COALESCE(f_support.tickets_resolved, 0),
    f_support.median_first_response_hours, f_support.median_resolution_hours,
    COALESCE(f_support.fcr_resolved, 0), COALESCE(f_support.fcr_known, 0),
    COALESCE(f_support.open_tickets, 0), COALESCE(f_usage.active_accounts, 0),
    COALESCE(f_usage.feature_customers, '{}'::jsonb), f_usage.time_to_value_days,
    COALESCE(f_health.at_risk_arr, 0), COALESCE(f_health.health_scored, 0),
    COALESCE(f_health.health_green, 0), COALESCE(f_health.health_yellow, 0), COALESCE(f_health.health_red, 0),
    f_health.health_score_sum, COALESCE(f_health.usage_dau_sum_30, 0), COALESCE(f_health.usage_mau, 0),
    COALESCE(f_health.health_onboarding, 0)
FROM _groups g
LEFT JOIN _kpi_revenue f_revenue
  ON f_revenue.month = g.month AND f_revenue.scope = g.scope
 AND COALESCE(f_revenue.csm_id, 0) = COALESCE(g.csm_id, 0) AND COALESCE(f_revenue.segment, '') = COALESCE(g.segment, '')
 AND f_revenue.csm_id IS NOT DISTINCT FROM g.csm_id AND f_revenue.segment IS NOT DISTINCT FROM g.segment
LEFT JOIN _kpi_ltv f_ltv
  ON f_ltv.month = g.month AND f_ltv.scope = g.scope
 AND COALESCE(f_ltv.csm_id, 0) = COALESCE(g.csm_id, 0) AND COALESCE(f_ltv.segment, '') = COALESCE(g.segment, '')
 AND f_ltv.csm_id IS NOT DISTINCT FROM g.csm_id AND f_ltv.segment IS NOT DISTINCT FROM g.segment
LEFT JOIN _kpi_renewals f_renewals
  ON f_renewals.month = g.month AND f_renewals.scope = g.scope
 AND COALESCE(f_renewals.csm_id, 0) = COALESCE(g.csm_id, 0) AND COALESCE(f_renewals.segment, '') = COALESCE(g.segment, '')
 AND f_renewals.csm_id IS NOT DISTINCT FROM g.csm_id AND f_renewals.segment IS NOT DISTINCT FROM g.segment
LEFT JOIN _kpi_spend f_spend
  ON f_spend.month = g.month AND f_spend.scope = g.scope
 AND COALESCE(f_spend.csm_id, 0) = COALESCE(g.csm_id, 0) AND COALESCE(f_spend.segment, '') = COALESCE(g.segment, '')
 AND f_spend.csm_id IS NOT DISTINCT FROM g.csm_id AND f_spend.segment IS NOT DISTINCT FROM g.segment
LEFT JOIN _kpi_voice f_voice
  ON f_voice.month = g.month AND f_voice.scope = g.scope
 AND COALESCE(f_voice.csm_id, 0) = COALESCE(g.csm_id, 0) AND COALESCE(f_voice.segment, '') = COALESCE(g.segment, '')
 AND f_voice.csm_id IS NOT DISTINCT FROM g.csm_id AND f_voice.segment IS NOT DISTINCT FROM g.segment
LEFT JOIN _kpi_support f_support
  ON f_support.month = g.month AND f_support.scope = g.scope
 AND COALESCE(f_support.csm_id, 0) = COALESCE(g.csm_id, 0) AND COALESCE(f_support.segment, '') = COALESCE(g.segment, '')
 AND f_support.csm_id IS NOT DISTINCT FROM g.csm_id AND f_support.segment IS NOT DISTINCT FROM g.segment
LEFT JOIN _kpi_usage f_usage
  ON f_usage.month = g.month AND f_usage.scope = g.scope
 AND COALESCE(f_usage.csm_id, 0) = COALESCE(g.csm_id, 0) AND COALESCE(f_usage.segment, '') = COALESCE(g.segment, '')
 AND f_usage.csm_id IS NOT DISTINCT FROM g.csm_id AND f_usage.segment IS NOT DISTINCT FROM g.segment
LEFT JOIN _kpi_health f_health
  ON f_health.month = g.month AND f_health.scope = g.scope
 AND COALESCE(f_health.csm_id, 0) = COALESCE(g.csm_id, 0) AND COALESCE(f_health.segment, '') = COALESCE(g.segment, '')
 AND f_health.csm_id IS NOT DISTINCT FROM g.csm_id AND f_health.segment IS NOT DISTINCT FROM g.segment;
