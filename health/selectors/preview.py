"""The Health page's preview: what a draft model would say against the active one, from stored components.

Weights, thresholds and the drop rule only re-weight the components stored on metrics.AccountDay, so a draft is
previewed without recomputing anything: one aggregate query over the latest computed day, and the backtest
(METRICS.md "Backtest") over the last 12 months whose 90 days are over. A changed component parameter is not
reflected until history is recomputed with it; the page says so.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import Max

from health.models import COMPONENTS, HealthModel
from health.selectors.backtest import CHURN_HORIZON_DAYS, Backtest, health_backtest
from metrics.models import ComputedDay
from metrics.services.pipeline import month_end

BACKTEST_MONTHS = 12
_BACKTEST_CACHE_SECONDS = 24 * 3600


def _score_sql(prefix: str, row: str) -> str:
    """The score of METRICS.md re-weighted from the components of `row` with the weights `%(<prefix>w_…)s`,
    rounded to 4 decimals; written exactly as health_scores.sql writes it, so that the active model
    reproduces the stored scores to the last bit."""
    products = " + ".join(f"COALESCE(%({prefix}w_{name})s * {row}.{name}, 0)" for name in COMPONENTS)
    present = " + ".join(
        f"CASE WHEN {row}.{name} IS NULL THEN 0 ELSE %({prefix}w_{name})s END" for name in COMPONENTS
    )
    return f"round((({products}) / NULLIF({present}, 0))::numeric, 4)"


def _counts_sql(prefix: str) -> str:
    at_risk = (
        f"{prefix}score < %({prefix}yellow_min)s OR {prefix}score <= {prefix}before - %({prefix}drop_points)s"
    )
    return f"""
        COUNT(*) FILTER (WHERE {prefix}score >= %({prefix}green_min)s),
        COUNT(*) FILTER (WHERE {prefix}score < %({prefix}green_min)s AND {prefix}score >= %({prefix}yellow_min)s),
        COUNT(*) FILTER (WHERE {prefix}score < %({prefix}yellow_min)s),
        COUNT(*) FILTER (WHERE {at_risk}),
        COALESCE(SUM(arr) FILTER (WHERE {at_risk}), 0),
        AVG({prefix}score)"""


# Raw SQL: one pass over the day's rows scoring them under two models at once (FILTERed aggregates with each
# model's parameters), with the drop rule's earlier day joined by primary key. The ORM cannot say it in one query.
DISTRIBUTION_SQL = f"""
SELECT COUNT(*),
       {_counts_sql("d_")},
       {_counts_sql("a_")}
FROM (
    SELECT t.arr,
           {_score_sql("d_", "t")} AS d_score, {_score_sql("d_", "bd")} AS d_before,
           {_score_sql("a_", "t")} AS a_score, {_score_sql("a_", "ba")} AS a_before
    FROM metrics_accountday t
    LEFT JOIN metrics_accountday bd
           ON bd.day = %(day)s::date - %(d_drop_days)s::int AND bd.account_id = t.account_id
              AND bd.score IS NOT NULL
    LEFT JOIN metrics_accountday ba
           ON ba.day = %(day)s::date - %(a_drop_days)s::int AND ba.account_id = t.account_id
              AND ba.score IS NOT NULL
    WHERE t.day = %(day)s::date AND t.score IS NOT NULL
    OFFSET 0  -- a fence: the four scores are computed once per row, not once per aggregate that reads them
) scored
"""


@dataclass(frozen=True)
class Distribution:
    """METRICS.md "health distribution" of one model on one day, with its at-risk accounts and their ARR
    (`at_risk_arr`: Σ ARR of those accounts, exact)."""

    green: int
    yellow: int
    red: int
    at_risk: int
    at_risk_arr: Decimal
    average: float | None

    @property
    def scored(self) -> int:
        return self.green + self.yellow + self.red

    def share(self, status: str) -> float | None:
        return getattr(self, status) / self.scored if self.scored else None

    def fields(self) -> dict[str, Any]:
        return {
            "green": self.green,
            "yellow": self.yellow,
            "red": self.red,
            "at_risk": self.at_risk,
            "at_risk_arr": str(self.at_risk_arr),
            "average": self.average,
        }


def _model_params(model: HealthModel, prefix: str) -> dict[str, Any]:
    params = model.sql_params()
    keys = [f"w_{name}" for name in COMPONENTS] + ["green_min", "yellow_min", "drop_points", "drop_days"]
    return {f"{prefix}{key}": params[key] for key in keys}


def health_distributions(
    *, day: date, draft: HealthModel, active: HealthModel
) -> tuple[Distribution, Distribution]:
    """(draft, active) status counts of the accounts scored on `day`, re-weighting their stored components.

    At risk as in METRICS.md: red, or scored `drop_days` before too and at least `drop_points` lower now (that
    day's stored components re-weighted with the same model). One aggregate query over the day's rows.
    """
    params = {"day": day, **_model_params(draft, "d_"), **_model_params(active, "a_")}
    with connection.cursor() as cursor:
        cursor.execute(DISTRIBUTION_SQL, params)
        row = cursor.fetchone()
    assert row is not None

    def distribution(values: tuple[Any, ...]) -> Distribution:
        green, yellow, red, at_risk, at_risk_arr, average = values
        return Distribution(
            green=green,
            yellow=yellow,
            red=red,
            at_risk=at_risk,
            at_risk_arr=Decimal(at_risk_arr),
            average=float(average) if average is not None else None,
        )

    return distribution(row[1:7]), distribution(row[7:13])


def last_computed_day() -> date | None:
    last: date | None = ComputedDay.objects.aggregate(last=Max("day"))["last"]
    return last


def backtest_months(*, last_day: date, months: int = BACKTEST_MONTHS) -> tuple[date, date]:
    """The first days of the first and last of the `months` latest months whose month-end is at least 90 days
    before `last_day` (later month-ends are left out of a backtest anyway)."""
    last_end = month_end(last_day - timedelta(days=CHURN_HORIZON_DAYS))
    if last_end + timedelta(days=CHURN_HORIZON_DAYS) > last_day:
        last_end = last_end.replace(day=1) - timedelta(days=1)
    last_month = last_end.replace(day=1)
    index = last_month.year * 12 + last_month.month - 1 - (months - 1)
    return date(index // 12, index % 12 + 1, 1), last_month


def health_backtest_cached(
    *, first_month: date, last_month: date, model: HealthModel, ledger: str
) -> Backtest:
    """`health_backtest`, kept while `ledger` (the pipeline's last change, see `health_preview`) and the model's
    values stay the same: the Health page shows the active model's backtest on every visit."""
    values = json.dumps(
        [model.sql_params() | {"model_id": None}, first_month.isoformat(), last_month.isoformat(), ledger],
        sort_keys=True,
    )
    key = f"keel:health-backtest:{hashlib.sha256(values.encode()).hexdigest()}"
    result: Backtest | None = cache.get(key)
    if result is None:
        result = health_backtest(first_month=first_month, last_month=last_month, model=model)
        cache.set(key, result, _BACKTEST_CACHE_SECONDS)
    return result


@dataclass(frozen=True)
class Preview:
    day: date
    draft: Distribution
    active: Distribution
    first_month: date
    last_month: date
    draft_backtest: Backtest
    active_backtest: Backtest

    def fields(self) -> dict[str, Any]:
        return {
            "day": self.day.isoformat(),
            "months": [f"{self.first_month:%Y-%m}", f"{self.last_month:%Y-%m}"],
            "draft": {**self.draft.fields(), "backtest": self.draft_backtest.fields()},
            "active": {**self.active.fields(), "backtest": self.active_backtest.fields()},
        }


def health_preview(*, draft: HealthModel, active: HealthModel) -> Preview | None:
    """The draft against the active model on the latest computed day, and both backtests over the last 12
    months; None before anything is computed."""
    # Every run of the pipeline ends by stamping the days it computed: the latest stamp says whether stored
    # components may have changed since a backtest was cached.
    ledger = ComputedDay.objects.aggregate(day=Max("day"), stamp=Max("computed_at"))
    day = ledger["day"]
    if day is None:
        return None
    draft_counts, active_counts = health_distributions(day=day, draft=draft, active=active)
    first_month, last_month = backtest_months(last_day=day)
    cached = partial(
        health_backtest_cached, first_month=first_month, last_month=last_month, ledger=str(ledger["stamp"])
    )
    active_backtest = cached(model=active)
    return Preview(
        day=day,
        draft=draft_counts,
        active=active_counts,
        first_month=first_month,
        last_month=last_month,
        draft_backtest=active_backtest if draft is active else cached(model=draft),
        active_backtest=active_backtest,
    )
