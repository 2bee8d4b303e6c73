"""The backtest of a health model (METRICS.md "Backtest")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Max

from health.models import HealthModel
from health.sql import files
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

    AUC = P(a churner scores lower than a non-churner) + ½ P(tie), from the Mann–Whitney rank sum:
    1 − (R_churned − n_churned (n_churned + 1) / 2) / (n_churned × n_stayed). Null when a class is empty.
    """
    last_day = ComputedDay.objects.aggregate(last=Max("day"))["last"]
    params = {**model.sql_params(), "days": backtest_days(first_month, last_month, last_day)}
    statement = files.statements("backtest")[0]
    with connection.cursor() as cursor:
        cursor.execute(statement, {key: value for key, value in params.items() if f"%({key})s" in statement})
        row = cursor.fetchone()
    assert row is not None
    n_churned, n_stayed, rank_sum = int(row[0]), int(row[1]), Decimal(row[2])
    auc = None
    if n_churned and n_stayed:
        u_churned = rank_sum - Decimal(n_churned * (n_churned + 1)) / 2
        auc = number(1 - ratio(u_churned, n_churned * n_stayed))  # type: ignore[operator]
    rates = {
        "green": number(ratio(row[4], row[3])),
        "yellow": number(ratio(row[6], row[5])),
        "red": number(ratio(row[8], row[7])),
    }
    return Backtest(auc=auc, churn_rate_by_status=rates, scored=n_churned + n_stayed, churned=n_churned)
