"""The output fields of METRICS.md from a stored MonthlyKpi row: money rounded once, rates from exact values.

This is the one place that turns stored numerators and denominators into what `kpis`, the API and the pages
show, so the three always agree.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, localcontext
from typing import Any

from accounts.numbers import money, number, ratio
from metrics.models import AccountDay, MonthlyKpi

TWELVE = Decimal(12)


def cohort_rate(now: Decimal | None, base: Decimal | None) -> Decimal | None:
    """METRICS.md `nrr_12m`: Σ_C MRR(end of m) / Σ_C MRR(end of m−12), cohort C paying at the end of m−12 (the
    stored annualised sums divide to the same rate)."""
    return ratio(now, base)


def nrr_12m(row: MonthlyKpi) -> Decimal | None:
    """METRICS.md `nrr_12m` of a stored row."""
    return cohort_rate(row.cohort_arr_now, row.cohort_arr_base)


def stickiness(dau_sum_30: int | None, mau: int | None) -> Decimal | None:
    """METRICS.md `stickiness`: (Σ dau over d−29…d) / 30 / mau; null when mau is 0."""
    return ratio(dau_sum_30, 30 * mau) if mau else None


def kpi_fields(row: MonthlyKpi, *, gross_margin: Decimal, event_names: Iterable[str]) -> dict[str, Any]:
    """Every field of METRICS.md for one month and group, in the order METRICS.md lists them."""
    with localcontext() as context:
        context.prec = 40
        mrr = row.arr / TWELVE
        mrr_start = row.arr_start / TWELVE
        new_mrr = row.new_arr / TWELVE
        reactivation_mrr = row.reactivation_arr / TWELVE
        expansion_mrr = row.expansion_arr / TWELVE
        contraction_mrr = row.contraction_arr / TWELVE
        churned_mrr = row.churned_arr / TWELVE
        arpa = ratio(mrr, row.customers)
        ltv = None
        if arpa is not None and row.logo_churn_mean_6m:
            ltv = arpa * gross_margin / row.logo_churn_mean_6m
        cac = ratio(row.spend, row.new_customers) if row.spend is not None else None
        nrr_monthly = ratio(
            row.arr_start + row.expansion_arr - row.contraction_arr - row.churned_arr, row.arr_start
        )
        fields: dict[str, Any] = {
            "mrr": money(mrr),
            "mrr_start": money(mrr_start),
            "new_mrr": money(new_mrr),
            "reactivation_mrr": money(reactivation_mrr),
            "expansion_mrr": money(expansion_mrr),
            "contraction_mrr": money(contraction_mrr),
            "churned_mrr": money(churned_mrr),
            "customers": row.customers,
            "customers_start": row.customers_start,
            "new_customers": row.new_customers,
            "reactivated_customers": row.reactivated_customers,
            "expanded_customers": row.expanded_customers,
            "contracted_customers": row.contracted_customers,
            "churned_customers": row.churned_customers,
            "arr": money(row.arr),
            "logo_churn_rate": number(ratio(row.churned_customers, row.customers_start)),
            "customer_retention_rate": number(
                ratio(row.customers - row.new_customers - row.reactivated_customers, row.customers_start)
            ),
            "gross_mrr_churn_rate": number(ratio(row.churned_arr + row.contraction_arr, row.arr_start)),
            "net_mrr_churn_rate": number(
                ratio(row.churned_arr + row.contraction_arr - row.expansion_arr, row.arr_start)
            ),
            "expansion_mrr_rate": number(ratio(row.expansion_arr, row.arr_start)),
            "upsell_rate": number(ratio(row.expanded_customers, row.customers_start)),
            "nrr_monthly": number(nrr_monthly),
            "grr_monthly": number(
                ratio(row.arr_start - row.contraction_arr - row.churned_arr, row.arr_start)
            ),
            "nrr_12m": number(nrr_12m(row)),
            "grr_12m": number(ratio(row.cohort_arr_kept, row.cohort_arr_base)),
            "arpa": money(arpa),
            "quick_ratio": number(
                ratio(
                    row.new_arr + row.reactivation_arr + row.expansion_arr,
                    row.churned_arr + row.contraction_arr,
                )
            ),
            "ltv": money(ltv),
            "cac": money(cac),
            "ltv_to_cac": number(ratio(ltv, cac)),
            "cac_payback_months": number(ratio(cac, arpa * gross_margin if arpa is not None else None)),
            "renewals_due": row.renewals_due,
            "renewals_renewed": row.renewals_renewed,
            "renewal_rate": number(ratio(row.renewals_renewed, row.renewals_due)),
            "gross_dollar_renewal_rate": number(ratio(row.renewal_arr_kept, row.renewal_arr_due)),
            **_voice(row, ""),
            **_voice(row, "_90d"),
            "tickets_created": row.tickets_created,
            "tickets_resolved": row.tickets_resolved,
            "median_first_response_hours": row.median_first_response_hours,
            "median_resolution_hours": row.median_resolution_hours,
            "fcr_rate": number(ratio(row.fcr_resolved, row.fcr_known)),
            "open_tickets": row.open_tickets,
            "active_accounts": row.active_accounts,
            "feature_adoption": {
                name: number(ratio(row.feature_customers.get(name, 0), row.customers))
                for name in sorted(event_names)
            },
            "time_to_value_days": row.time_to_value_days,
            "stickiness": number(stickiness(row.usage_dau_sum_30, row.usage_mau)),
            "at_risk_arr": money(row.at_risk_arr),
            # Dashboard figures (METRICS.md): not kpis fields of METRICS.md's tables, printed as extras.
            "average_health": row.health_score_sum / row.health_scored if row.health_scored else None,
            "health_green": row.health_green,
            "health_yellow": row.health_yellow,
            "health_red": row.health_red,
        }
    return fields


def _voice(row: MonthlyKpi, suffix: str) -> dict[str, Any]:
    def get(name: str) -> int:
        value: int = getattr(row, name + suffix)
        return value

    nps_responses, csat_responses, ces_responses = (
        get("nps_responses"),
        get("csat_responses"),
        get("ces_responses"),
    )
    return {
        f"nps{suffix}": number(ratio(100 * (get("nps_promoters") - get("nps_detractors")), nps_responses)),
        f"csat{suffix}": number(ratio(100 * get("csat_satisfied"), csat_responses)),
        f"ces{suffix}": number(ratio(get("ces_score_sum"), ces_responses)),
        f"ces_easy_rate{suffix}": number(ratio(get("ces_easy"), ces_responses)),
        f"nps_responses{suffix}": nps_responses,
        f"csat_responses{suffix}": csat_responses,
        f"ces_responses{suffix}": ces_responses,
    }


def account_usage_fields(row: AccountDay) -> dict[str, Any]:
    """METRICS.md "Product usage" per account on `row.day`: dau, mau, stickiness and the rest."""
    return {
        "mrr": money(row.arr / TWELVE),
        "dau": row.dau,
        "mau": row.mau,
        "stickiness": number(stickiness(row.dau_sum_30, row.mau)),
        "active_days_30": row.active_days_30,
        # seats 0 counts as no seats (METRICS.md `license_utilization`).
        "license_utilization": number(ratio(row.mau, row.seats)) if row.seats else None,
        "days_since_last_event": (row.day - row.last_event_day).days if row.last_event_day else None,
    }
