"""Inputs and snapshots of the KPI engine (METRICS.md)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import ExpressionWrapper, F, Q, Value
from django.db.models.functions import ExtractDay, Now
from django.db.models.lookups import Exact
from django.utils import timezone

from health.models import COMPONENTS, CachedComponents, Stage


def Money(**kwargs: Any) -> models.DecimalField:
    """An exact amount of money (numeric), summed without rounding; rounded to the cent only on output."""
    return models.DecimalField(max_digits=24, decimal_places=4, default=0, db_default=0, **kwargs)


def Count(**kwargs: Any) -> models.IntegerField:
    """A count; the pipeline inserts a group's row first and each KPI family fills its counts in."""
    return models.IntegerField(default=0, db_default=0, **kwargs)


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


class UsageUserDay(models.Model):
    """Rollup of usage events: this user of this account was active on this local day (METRICS.md "Product usage").

    Rebuilt per day by the pipeline from `accounts.UsageEvent` (only activity matters: `count` does not change
    it). Keyed by day first (windows of days, rebuilding a day), indexed by user too (each user's days).
    """

    pk = models.CompositePrimaryKey("day", "account", "user_id")
    day = models.DateField()
    account = models.ForeignKey(
        "accounts.Account", on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    # Byte order ("C"): the pipeline sorts millions of these per run, and no person reads them in order.
    user_id = models.CharField(max_length=200, db_collation="C")

    class Meta:
        # Each user's days in order: the dense series reads them so (mau), without sorting millions of rows.
        indexes = [models.Index(fields=["account", "user_id", "day"], name="usage_user_day_by_user")]

    def __str__(self) -> str:
        return f"{self.user_id} of {self.account_id} on {self.day}"


class UsageAccountDay(models.Model):
    """Rollup of usage events: how many users of this account were active on this local day (its dau).

    Keyed by account first, so the last active day before any date is one index probe per account.
    """

    pk = models.CompositePrimaryKey("account", "day")
    account = models.ForeignKey(
        "accounts.Account", on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    day = models.DateField()
    users = models.IntegerField()

    def __str__(self) -> str:
        return f"{self.users} users of {self.account_id} on {self.day}"


class UsageEventDay(models.Model):
    """Rollup of usage events: this account had this event on this local day (feature adoption)."""

    pk = models.CompositePrimaryKey("day", "account", "event")
    day = models.DateField()
    account = models.ForeignKey(
        "accounts.Account", on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    event = models.CharField(max_length=200, db_collation="C")

    def __str__(self) -> str:
        return f"{self.event} at {self.account_id} on {self.day}"


class FirstEventDay(models.Model):
    """The first local day each account had each event: time to value, and the event names "in the data"."""

    id = models.BigAutoField(primary_key=True)
    account = models.ForeignKey(
        "accounts.Account", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    event = models.CharField(max_length=200)
    day = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "event"], name="first_event_day_key")]
        indexes = [models.Index(fields=["event", "day"], name="first_event_day_event")]

    def __str__(self) -> str:
        return f"{self.account_id} first had {self.event} on {self.day}"


class RollupState(models.Model):
    """The time zone the rollups' local days were built in; a change of KEEL_TIMEZONE rebuilds them all."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    timezone = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"rollups in {self.timezone}"


class AccountDay(models.Model):
    """One account on one day, as of the end of that day: revenue, owner, usage and health (METRICS.md).

    One row for every account that pays (ARR > 0) or was used in the 30 days ending that day; health fields are
    filled for the paying ones (scored daily, METRICS.md "Health score"). Kept KEEL_DAILY_RETENTION_DAYS days,
    month-ends forever. `arr` is 12 × the account's MRR, exact. One wide row rather than a table per concern:
    a backfill writes millions of them, and pages read revenue, usage and health together.
    """

    pk = models.CompositePrimaryKey("day", "account")
    day = models.DateField()
    # No database foreign keys on the snapshot tables: the pipeline writes them from the accounts table in the same
    # statement, and checking a deferred key per row at commit took longer than the INSERT itself (1.2M rows: 8.3 s
    # against 6.2 s). Deleting an account still deletes its rows (Django's CASCADE).
    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="days", db_index=False, db_constraint=False
    )
    csm = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    arr = Money()
    dau = Count()
    mau = Count()
    dau_sum_30 = Count(help_text="Σ dau over d−29…d (stickiness numerator × 30)")
    active_days_30 = Count()
    seats = models.IntegerField(null=True, blank=True)
    last_event_day = models.DateField(null=True, blank=True)
    # Health: null for accounts that are not scored that day (no MRR).
    health_model = models.ForeignKey(
        "health.HealthModel",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,
        db_constraint=False,
        related_name="+",
    )
    score = models.FloatField(null=True, blank=True)
    status = models.CharField(
        max_length=6, blank=True, help_text="green, yellow or red; blank when not scored"
    )
    at_risk = models.BooleanField(default=False, db_default=False)
    activity = models.FloatField(null=True, blank=True)
    adoption = models.FloatField(null=True, blank=True)
    sentiment = models.FloatField(null=True, blank=True)
    support = models.FloatField(null=True, blank=True)
    revenue = models.FloatField(null=True, blank=True)
    recency = models.FloatField(null=True, blank=True)
    revenue_trend = models.FloatField(null=True, blank=True)
    stage = models.CharField(  # noqa: DJ001 (METRICS.md: null, never paid)
        max_length=10, null=True, blank=True, choices=Stage.choices, help_text="null: never paid"
    )

    class Meta:
        indexes = [
            models.Index(fields=["account", "day"], name="account_day_account"),
            # The drill-downs compare every account's ARR at two month-ends: read from this narrow copy of the
            # month-ends (an index-only scan, 31 MB at 100k accounts and 13 months) rather than from the wide rows.
            # The drill-down's SQL repeats the condition (MONTH_END_SQL) so that the planner may use it.
            models.Index(
                fields=["day", "account"],
                include=["arr"],
                condition=Q(
                    Exact(
                        ExtractDay(
                            ExpressionWrapper(F("day") + timedelta(days=1), output_field=models.DateField())
                        ),
                        1,
                    )
                ),
                name="account_day_month_end",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} on {self.day}"

    @property
    def scored(self) -> bool:
        return self.score is not None

    def components(self) -> dict[str, float | None]:
        return {name: getattr(self, name) for name in COMPONENTS}


class ComputedDay(models.Model):
    """The ledger of the pipeline: which days have snapshots, so `make run` and the nightly run catch up."""

    day = models.DateField(primary_key=True)
    computed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"computed {self.day}"


class SnapshotJob(models.Model):
    """One run of the pipeline over a range of days, with its progress: the nightly run, a backfill, a recompute
    after a change of the health model. Each step (rollups, a chunk of days and accounts, the months, the end)
    counts one."""

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=200, help_text="nightly, backfill, health model v3, …")
    start = models.DateField()
    end = models.DateField()
    state = models.CharField(max_length=8, choices=State.choices, default=State.QUEUED)
    steps_total = models.PositiveIntegerField(default=0)
    steps_done = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.reason} {self.start}…{self.end}: {self.state} {self.steps_done}/{self.steps_total}"

    @property
    def progress(self) -> float:
        return self.steps_done / self.steps_total if self.steps_total else 0.0


class AccountCurrent(models.Model):
    """Every account as of the latest computed day: what the account list filters and sorts by (100k rows, so a
    page reads one indexed row per account instead of the history). Rewritten at the end of each pipeline run."""

    account = models.OneToOneField(
        "accounts.Account",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="current",
        db_constraint=False,
    )
    day = models.DateField()
    arr = Money()
    dau = Count()
    mau = Count()
    score = models.FloatField(null=True, blank=True)
    status = models.CharField(max_length=6, blank=True)
    at_risk = models.BooleanField(default=False, db_default=False)
    score_change_30d = models.FloatField(
        null=True, blank=True, help_text="score on day − score 30 days before (null when not scored then)"
    )
    stage = models.CharField(  # noqa: DJ001 (METRICS.md: null, never paid)
        max_length=10, null=True, blank=True, choices=Stage.choices, help_text="null: never paid"
    )

    class Meta:
        indexes = [
            models.Index(fields=["arr"], name="account_current_arr"),
            models.Index(fields=["score"], name="account_current_score"),
            models.Index(fields=["score_change_30d"], name="account_current_change"),
            models.Index(fields=["status"], name="account_current_status"),
            models.Index(fields=["stage"], name="account_current_stage"),
            # The account list's sorts high to low, scores without one last (accounts.selectors.AccountPages
            # reads a page in index order).
            models.Index(F("arr").desc(nulls_last=True), name="account_current_arr_desc"),
            models.Index(F("score").desc(nulls_last=True), name="account_current_score_desc"),
            models.Index(F("score_change_30d").desc(nulls_last=True), name="account_current_change_desc"),
            # A CSM's accounts at risk (metrics.selectors.dashboards.accounts_at_risk): 2% of the base.
            models.Index(fields=["account"], condition=Q(at_risk=True), name="account_current_at_risk"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} on {self.day}"

    @property
    def mrr(self) -> Decimal:
        """MRR on `day`, exact (ARR / 12): rounded only when shown."""
        return self.arr / 12


class PreviewRow(CachedComponents):
    """An account scored on a day, with its ARR and stored components: what the Health page's preview re-weights
    for the latest computed day and the day the active model's drop rule compares with. A narrow copy of AccountDay
    (whose rows of one day lie on thousands of pages), refilled by the pipeline's last steps."""

    pk = models.CompositePrimaryKey("day", "account_id")
    account_id = models.BigIntegerField()
    arr = models.DecimalField(max_digits=24, decimal_places=4)  # as AccountDay.arr
    stage = models.CharField(max_length=10, null=True)  # as AccountDay.stage: the onboarding rules' at risk  # noqa: DJ001

    def __str__(self) -> str:
        return f"{self.account_id} on {self.day}"


class RenewalDue(models.Model):
    """A renewal of the forecast: a term end (METRICS.md `renewals_due`) in the 12 months after the latest computed
    day, of a span active that day, with the subscription's ARR then, the account's health status in the latest
    snapshot ("" unscored) and its owner now. Rewritten by every pipeline run (metrics/sql/renewal_due.sql)."""

    as_of = models.DateField()
    term_end = models.DateField()
    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    subscription_id = models.CharField(max_length=200)
    csm = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
    )
    status = models.CharField(max_length=6, blank=True)
    arr = Money()

    class Meta:
        indexes = [
            models.Index(fields=["term_end"], name="renewal_due_term_end"),
            models.Index(fields=["csm", "term_end"], name="renewal_due_csm_term_end"),
        ]

    def __str__(self) -> str:
        return f"{self.subscription_id} renews on {self.term_end}"


class RenewalMonth(models.Model):
    """The forecast's renewals summed per month of term end and status: for the company (`csm` null,
    `company` true) and per owner, so the page reads a few dozen rows whatever the size of the base."""

    month = models.DateField()
    status = models.CharField(max_length=6, blank=True)
    company = models.BooleanField()
    csm = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
    )
    renewals = Count()
    arr = Money()

    class Meta:
        indexes = [models.Index(fields=["company", "csm", "month"], name="renewal_month_scope")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.status or 'unscored'}"


class RenewalRates(models.Model):
    """The churn rates the forecast weighs renewals by: the backtest of the active model (METRICS.md "Backtest")
    over the last 12 month-ends whose 90 days are computed, per status, and over every scored account (for the
    unscored). One row, rewritten with the forecast."""

    as_of = models.DateField()
    model_version = models.PositiveIntegerField()
    first_month_end = models.DateField(null=True)
    last_month_end = models.DateField(null=True)
    green = models.FloatField(null=True)
    yellow = models.FloatField(null=True)
    red = models.FloatField(null=True)
    overall = models.FloatField(null=True)

    def __str__(self) -> str:
        return f"Renewal rates as of {self.as_of}"


class Notification(models.Model):
    """One message of a day Keel sends a person or the team (metrics.services.notifications): the daily digest by
    email, or the same to a Slack incoming webhook. One row per (channel, kind, day), written with what it says
    before anything is sent and claimed by one conditional UPDATE before each attempt, so a rerun, a second
    worker or a retry never sends it twice. `user` is the channel: a person, or none for the team's Slack."""

    class Kind(models.TextChoices):
        EMAIL = "email", "Email"
        SLACK = "slack", "Slack"

    class State(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"  # new, or waiting for its next attempt
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"  # for good: refused, or still failing after the last attempt

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=5, choices=Kind.choices)
    day = models.DateField(help_text="The day of the digest (KEEL_TIMEZONE)")
    state = models.CharField(max_length=7, choices=State.choices, default=State.PENDING)
    since = models.DateTimeField(help_text="New at-risk accounts are those alerted after this…")
    until = models.DateTimeField(help_text="…and up to this, when the digest was made")
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField(help_text="The text part (the whole message for Slack)")
    html = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "day"], nulls_distinct=False, name="notification_once_a_day"
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=False) | Q(kind="slack"), name="notification_team_slack"
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(state__in=["pending", "sending"]),
                name="notification_unsent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} digest of {self.day} to {self.user_id or 'the team'}: {self.state}"
