"""The daily snapshots: every account's day, the ledger of computed days, the latest day of each account, the
Health page's preview rows."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import ExpressionWrapper, F, Q
from django.db.models.functions import ExtractDay
from django.db.models.lookups import Exact

from health.models import COMPONENTS, CachedComponents, Stage
from metrics.models.columns import Count, Money


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
            # One account's rows by day, with what the 360's timeline reads of each (its health changes: status and
            # score of every row the account has), so that an index-only scan reads the account's few index pages
            # instead of a heap page per day: 17.5 → 2.0 ms p50 for an account not in the cache at 100k accounts.
            # Writing costs a little more: 2M rows inserted in 9.2 s instead of 8.2–8.5 s (about 3 s of a 20,000
            # event-dense accounts' 36-month backfill).
            models.Index(fields=["account", "day"], include=["status", "score"], name="account_day_account"),
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
