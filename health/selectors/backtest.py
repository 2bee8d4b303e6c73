"""The backtest of a health model (METRICS.md "Backtest")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.contrib.postgres.fields import ArrayField
from django.db import connection, transaction
from django.db.models import CharField, F, FloatField, Func, QuerySet, Value
from django.db.models.expressions import RawSQL

from accounts.months import month_end, months_in
from accounts.numbers import number, ratio
from accounts.sql import set_local, sql_step
from health.models import COMPONENTS, BacktestChurner, HealthModel, Status
from health.sql import files

CHURN_HORIZON_DAYS = 90  # METRICS.md "Backtest": churned within 90 days
BACKTEST_WORK_MEM = "64MB"
STATUSES = tuple(Status.values)  # green, yellow, red


@dataclass(frozen=True)
class BacktestMonth:
    """One month-end d of a backtest: the accounts scored on d per status (`scored`) and those of them that churned
    within 90 days (`churned`)."""

    day: date
    scored: dict[str, int]
    churned: dict[str, int]

    @property
    def churn_rate_by_status(self) -> dict[str, float | None]:
        """churned ÷ scored per status; null for a status nobody had."""
        return {status: number(ratio(self.churned[status], self.scored[status])) for status in STATUSES}

    @property
    def total_scored(self) -> int:
        return sum(self.scored.values())

    @property
    def churn_rate(self) -> float | None:
        """Over every status: churned ÷ scored."""
        return number(ratio(sum(self.churned.values()), self.total_scored))


@dataclass(frozen=True)
class Backtest:
    auc: float | None
    churn_rate_by_status: dict[str, float | None]
    scored: int
    churned: int
    # by month: the month-ends pooled, in order (their counts sum to the pooled ones); else none
    months: tuple[BacktestMonth, ...] = ()

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


def health_backtest(
    *, first_month: date, last_month: date, model: HealthModel, by_month: bool = False
) -> Backtest:
    """METRICS.md "Backtest" of `model` (saved or a draft) over the month-ends of first_month…last_month.

    Pools the month-ends of the range that the pipeline keeps rows for: those whose 90 days are computed
    (health.services.cached_rows). AUC = P(a churner scores lower than a non-churner) + ½ P(tie): the (churner,
    stayer) pairs in which the churner scores lower, ties counting ½, over n_churned × n_stayed; exact. Null when
    a class is empty. `by_month`: each month-end's counts too (`months`, in the same statement), whose sums are
    the pooled counts.
    """
    wanted = {month_end(month) for month in months_in(first_month, last_month)}
    days = [day for day in backtest_rows_days() if day in wanted]
    with transaction.atomic(), sql_step() as step:
        set_local("work_mem", BACKTEST_WORK_MEM)  # the per-score hashes stay in memory
        rows = step.fetch(files, "backtest", days=days, by_month=by_month, **model.sql_params())
    # each row: day (null when not by month), the pairs, then scored and churned of green, yellow and red
    counted = [
        (
            row[0],
            dict(zip(STATUSES, (int(row[2]), int(row[4]), int(row[6])), strict=True)),
            dict(zip(STATUSES, (int(row[3]), int(row[5]), int(row[7])), strict=True)),
        )
        for row in rows
    ]
    scored = {status: sum(counts[1][status] for counts in counted) for status in STATUSES}
    churned = {status: sum(counts[2][status] for counts in counted) for status in STATUSES}
    n_churned = sum(churned.values())
    n_stayed = sum(scored.values()) - n_churned
    auc = number(ratio(rows[0][1], 2 * n_churned * n_stayed)) if n_churned and n_stayed else None
    rates = {status: number(ratio(churned[status], scored[status])) for status in STATUSES}
    return Backtest(
        auc=auc,
        churn_rate_by_status=rates,
        scored=n_churned + n_stayed,
        churned=n_churned,
        months=tuple(
            BacktestMonth(day=day, scored=scored_on, churned=churned_on)
            for day, scored_on, churned_on in counted
            if day is not None
        ),
    )


def _float_array(values: list[float]) -> RawSQL:
    return RawSQL("%s::float8[]", [values], output_field=ArrayField(FloatField()))


def health_score_of(model: HealthModel) -> Func:
    """An expression: the score of a row's stored components (a CachedComponents row) under `model`, by the
    function the pipeline scores with (keel_health_score, health 0008)."""
    params = model.sql_params()
    return Func(
        *(F(name) for name in COMPONENTS),
        _float_array(params["weights"]),
        _float_array(params["denominators"]),
        function="keel_health_score",
        output_field=FloatField(),
    )


def health_status_of(model: HealthModel, score: Func) -> Func:
    """An expression: the status of `score` under `model`'s thresholds (keel_health_status: rounded to 4
    decimals)."""
    return Func(
        score,
        Value(float(model.green_min)),
        Value(float(model.yellow_min)),
        function="keel_health_status",
        output_field=CharField(),
    )


def backtest_churners(
    *, model: HealthModel, days: list[date], status: str | None = None
) -> QuerySet[BacktestChurner]:
    """The accounts that `model`'s backtest counts as churned on the month-ends `days` (METRICS.md "Backtest"),
    each with `score` and `status` under `model` re-weighted from its stored components as the backtest does (only
    those of `status` when given): per day and status, as many as the backtest's churned count."""
    score = health_score_of(model)
    churners = BacktestChurner.objects.filter(day__in=days).annotate(
        score=score, status=health_status_of(model, score)
    )
    return churners.filter(status=status) if status is not None else churners
