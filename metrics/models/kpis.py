"""The monthly KPI rows (METRICS.md): one per month and group."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Now

from metrics.models.columns import Count, Money


class Scope(models.TextChoices):
    COMPANY = "company", "Company"
    CSM = "csm", "CSM"
    SEGMENT = "segment", "Segment"
    CSM_SEGMENT = "csm_segment", "CSM and segment"


class MonthlyKpi(models.Model):
    """The KPIs of one month for the company, one CSM, one segment or one CSM's segment (METRICS.md), as of `as_of`.

    Money is stored exactly and annualised (`*_arr` = 12 × the MRR figure, a whole-cent-exact sum of
    `SubscriptionSpan.annual_amount`), so output divides by 12 once and rounds once. Rates are not stored:
    they are derived from these numerators and denominators when read (metrics/fields.py).
    """

    month = models.DateField(help_text="First day of the month")
    scope = models.CharField(max_length=12, choices=Scope.choices)
    csm = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    segment = models.CharField(max_length=100, null=True, blank=True)  # noqa: DJ001 - null is the "no segment" group
    as_of = models.DateField(help_text="The month's last day, or the last computed day of the current month")
    computed_at = models.DateTimeField(auto_now=True, db_default=Now())

    # Revenue: 12 × the MRR figures of METRICS.md, exact.
    arr = Money()
    arr_start = Money()
    new_arr = Money()
    reactivation_arr = Money()
    expansion_arr = Money()
    contraction_arr = Money()
    churned_arr = Money()
    customers = Count()
    customers_start = Count()
    new_customers = Count()
    reactivated_customers = Count()
    expanded_customers = Count()
    contracted_customers = Count()
    churned_customers = Count()
    cohort_arr_base = Money(help_text="Σ ARR at the end of m−12 of the accounts paying then (nrr_12m cohort)")
    cohort_arr_now = Money(help_text="Σ ARR of that cohort at the end of m")
    cohort_arr_kept = Money(help_text="Σ min(now, base) over that cohort")
    logo_churn_mean_6m = models.DecimalField(
        max_digits=30, decimal_places=20, null=True, blank=True, help_text="Mean logo churn rate of m−5…m"
    )
    at_risk_arr = Money(help_text="Σ ARR at as_of of the accounts at risk that day (health)")
    health_scored = Count(help_text='Accounts scored on as_of (METRICS.md "Dashboard figures")')
    health_green = Count()
    health_yellow = Count()
    health_red = Count()
    health_onboarding = Count(help_text="Of the accounts scored on as_of, those onboarding that day")
    health_score_sum = models.FloatField(
        null=True, blank=True, help_text="Σ scores on as_of, for the average"
    )
    renewals_due = Count()
    renewals_renewed = Count()
    renewal_arr_due = Money(help_text="Σ ARR on t − 1 of the subscriptions due")
    renewal_arr_kept = Money(help_text="Σ min(ARR on t, ARR on t − 1) of the subscriptions due")
    spend = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)

    # Customer voice, the month and the 90 days ending on its last day.
    nps_responses = Count()
    nps_promoters = Count()
    nps_detractors = Count()
    csat_responses = Count()
    csat_satisfied = Count()
    ces_responses = Count()
    ces_score_sum = Count()
    ces_easy = Count()
    nps_responses_90d = Count()
    nps_promoters_90d = Count()
    nps_detractors_90d = Count()
    csat_responses_90d = Count()
    csat_satisfied_90d = Count()
    ces_responses_90d = Count()
    ces_score_sum_90d = Count()
    ces_easy_90d = Count()

    # Support.
    tickets_created = Count()
    tickets_resolved = Count()
    median_first_response_hours = models.FloatField(null=True, blank=True)
    median_resolution_hours = models.FloatField(null=True, blank=True)
    fcr_resolved = Count(help_text="Resolved in the month with replies ≤ 1")
    fcr_known = Count(help_text="Resolved in the month with replies known")
    open_tickets = Count()

    # Product usage.
    active_accounts = Count()
    feature_customers = models.JSONField(
        default=dict,
        db_default=Value({}, models.JSONField()),
        help_text="event → customers with ≥ 1 such event in the 30 days ending at as_of",
    )
    time_to_value_days = models.FloatField(null=True, blank=True)
    usage_dau_sum_30 = Count(
        help_text="Σ dau_sum_30 on as_of of the accounts scored then (stickiness numerator × 30)"
    )
    usage_mau = Count(help_text="Σ mau on as_of of the accounts scored then (stickiness denominator)")

    class Meta:
        ordering = ["month", "scope"]
        constraints = [
            models.UniqueConstraint(
                fields=["month", "scope", "csm", "segment"],
                name="monthly_kpi_group_unique",
                nulls_distinct=False,
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="monthly_kpi_month_first_day"),
            models.CheckConstraint(
                condition=Q(scope="company", csm__isnull=True, segment__isnull=True)
                | Q(scope="csm", segment__isnull=True)
                | Q(scope="segment", csm__isnull=True)
                | Q(scope="csm_segment"),
                name="monthly_kpi_scope_keys",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.scope} {self.csm_id or self.segment or ''}"
