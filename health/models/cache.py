"""Narrow copies of the stored components that the Health page's preview and backtest re-weight."""

from __future__ import annotations

from django.db import models


class CachedComponents(models.Model):
    """The stored components of METRICS.md "Health score" on a day, copied for re-weighting (the Health page's
    preview and the backtest read narrow copies instead of the wide daily rows)."""

    day = models.DateField()
    activity = models.FloatField(null=True)
    adoption = models.FloatField(null=True)
    sentiment = models.FloatField(null=True)
    support = models.FloatField(null=True)
    revenue = models.FloatField(null=True)
    recency = models.FloatField(null=True)
    revenue_trend = models.FloatField(null=True)

    class Meta:
        abstract = True


class BacktestRow(CachedComponents):
    """What the backtest of any model needs of the accounts scored on a month-end (METRICS.md "Backtest"): their
    stored components, which do not depend on weights or thresholds, and how many of the accounts with those
    components churned within 90 days or stayed, which depends on no model at all. One row per day and distinct
    components (a tenth of the accounts at 100k: many share them), so a draft's backtest re-weights a narrow table
    instead of the wide daily rows and every account's paid islands. The pipeline fills a month-end once its 90
    days are computed and again when a run recomputes any of them (health.services.cached_rows)."""

    churned = models.PositiveIntegerField()
    stayed = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["day"], name="backtest_row_day")]

    def __str__(self) -> str:
        return f"{self.churned + self.stayed} accounts on {self.day}"


class BacktestChurner(CachedComponents):
    """An account behind the `churned` of a BacktestRow: scored on a month-end d and churned within 90 days
    (METRICS.md "Backtest"), with its ARR on d, its stored components and `churned_on`, the first day of d+1…d+90
    without MRR. Written with the backtest's rows from the same labels (health/sql/backtest_rows.sql), so
    re-weighting these with a model lists the accounts that its backtest counts as churned per status: the Health
    page's "churned while green". A few percent of the scored accounts."""

    pk = models.CompositePrimaryKey("day", "account")
    # No database foreign key: the pipeline writes these rows set-based, as it writes the snapshot tables.
    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    arr = models.DecimalField(max_digits=24, decimal_places=4)  # as the snapshot's AccountDay.arr on d
    churned_on = models.DateField(help_text="The first day of d+1…d+90 without MRR")

    def __str__(self) -> str:
        return f"{self.account_id} scored on {self.day}, churned on {self.churned_on}"
