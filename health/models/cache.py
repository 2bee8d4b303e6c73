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
