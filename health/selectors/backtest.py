"""The backtest of a health model (METRICS.md "Backtest")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Max

from health.models import CachedDay, HealthModel
from health.services.cached_rows import cached_rows_fill
from health.sql import files, reweighted_score
from metrics.fields import number, ratio
from metrics.models import ComputedDay
from metrics.services.pipeline import month_end


@dataclass(frozen=True)
class Backtest:
    auc: float | None
    churn_rate_by_status: dict[str, float | None]
    scored: int
    churned: int

    def fields(self) -> dict[str, Any]:
        return {"auc": self.auc, "churn_rate_by_status": self.churn_rate_by_status}


CHURN_HORIZON_DAYS = 90  # METRICS.md "Backtest": churned within 90 days
BACKTEST_WORK_MEM = "64MB"


def backtest_days(first_month: date, last_month: date, last_day: date | None) -> list[date]:
    """The month-ends of first_month…last_month whose 90 days are over by `last_day` (METRICS.md "Backtest")."""
    days = []
    month = first_month.replace(day=1)
    while last_day is not None and month <= last_month:
        end = month_end(month)
        if end + timedelta(days=CHURN_HORIZON_DAYS) <= last_day:
            days.append(end)
        month = end + timedelta(days=1)
    return days


def health_backtest(*, first_month: date, last_month: date, model: HealthModel) -> Backtest:
    """METRICS.md "Backtest" of `model` (saved or a draft) over the month-ends of first_month…last_month.

    AUC = P(a churner scores lower than a non-churner) + ½ P(tie): the (churner, stayer) pairs in which the
    churner scores lower, ties counting ½, over n_churned × n_stayed; exact. Null when a class is empty.
    The month-ends' rows are filled first when the latest pipeline run has not filled them yet (the cache of
    health.services.cached_rows), so the first backtest after a run pays for the churn labels and later ones,
    whatever the model, only re-weight.
    """
    last_day = ComputedDay.objects.aggregate(last=Max("day"))["last"]
    days = backtest_days(first_month, last_month, last_day)
    cached_rows_fill(CachedDay.Kind.BACKTEST, days)
    params = {**model.sql_params(), "days": days}
    statement = files.statements("backtest")[0].replace("{score}", reweighted_score("r"))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL work_mem = '{BACKTEST_WORK_MEM}'")  # the per-score hashes stay in memory
        cursor.execute(statement, {key: value for key, value in params.items() if f"%({key})s" in statement})
        row = cursor.fetchone()
    assert row is not None
    n_churned, n_stayed = int(row[0]), int(row[1])
    auc = number(ratio(row[2], 2 * n_churned * n_stayed)) if n_churned and n_stayed else None
    rates = {
        "green": number(ratio(row[4], row[3])),
        "yellow": number(ratio(row[6], row[5])),
        "red": number(ratio(row[8], row[7])),
    }
    return Backtest(auc=auc, churn_rate_by_status=rates, scored=n_churned + n_stayed, churned=n_churned)
