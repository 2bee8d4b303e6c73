"""The renewal forecast's rows, kept by the pipeline."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from metrics.models.columns import Count, Money


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
