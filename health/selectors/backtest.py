"""The backtest of a health model (METRICS.md "Backtest")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import connection, transaction

from accounts.months import month_end, months_in
from accounts.numbers import number, ratio
from accounts.sql import set_local, sql_step
from health.models import HealthModel
from health.sql import files

CHURN_HORIZON_DAYS = 90  # METRICS.md "Backtest": churned within 90 days
BACKTEST_WORK_MEM = "64MB"


@dataclass(frozen=True)
class Backtest:
    auc: float | None
    churn_rate_by_status: dict[str, float | None]
    scored: int
    churned: int

    def fields(self) -> dict[str, Any]:
        return {"auc": self.auc, "churn_rate_by_status": self.churn_rate_by_status}


def backtest_rows_days() -> list[date]:
    """The month-ends that have backtest rows (the pipeline keeps them: health.services.cached_rows)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT day FROM health_backtestrow ORDER BY day")
        return [day for (day,) in cursor.fetchall()]


def backtest_days(first_month: date, last_month: date, last_day: date | None) -> list[date]:
    """The month-ends of first_month…last_month whose 90 days are over by `last_day` (METRICS.md "Backtest")."""
    if last_day is None:
        return []
    ends = (month_end(month) for month in months_in(first_month, last_month))
    return [end for end in ends if end + timedelta(days=CHURN_HORIZON_DAYS) <= last_day]


def health_backtest(*, first_month: date, last_month: date, model: HealthModel) -> Backtest:
    """METRICS.md "Backtest" of `model` (saved or a draft) over the month-ends of first_month…last_month.

    Pools the month-ends of the range that the pipeline keeps rows for: those whose 90 days are computed
    (health.services.cached_rows). AUC = P(a churner scores lower than a non-churner) + ½ P(tie): the (churner,
    stayer) pairs in which the churner scores lower, ties counting ½, over n_churned × n_stayed; exact. Null when
    a class is empty.
    """
    wanted = {month_end(month) for month in months_in(first_month, last_month)}
    days = [day for day in backtest_rows_days() if day in wanted]
    with transaction.atomic(), sql_step() as step:
        set_local("work_mem", BACKTEST_WORK_MEM)  # the per-score hashes stay in memory
        (row,) = step.fetch(files, "backtest", days=days, **model.sql_params())
    n_churned, n_stayed = int(row[0]), int(row[1])
    auc = number(ratio(row[2], 2 * n_churned * n_stayed)) if n_churned and n_stayed else None
    rates = {
        "green": number(ratio(row[4], row[3])),
        "yellow": number(ratio(row[6], row[5])),
        "red": number(ratio(row[8], row[7])),
    }
    return Backtest(auc=auc, churn_rate_by_status=rates, scored=n_churned + n_stayed, churned=n_churned)
