"""The Health page's preview: what a draft model would say against the active one, from stored components.

Weights, thresholds and the drop rule only re-weight the components stored on metrics.AccountDay, so a draft is
previewed without recomputing anything: one aggregate query over the latest computed day, and the backtest
(METRICS.md "Backtest") over the last 12 months whose 90 days are over, both over narrow copies of the stored
components kept per pipeline run (health.services.cached_rows). A changed component parameter is not reflected
until history is recomputed with it; the page says so.
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
from django.db import connection, transaction
from django.db.models import Max

from health.models import COMPONENTS, CachedDay, HealthModel
from health.selectors.backtest import BACKTEST_WORK_MEM, CHURN_HORIZON_DAYS, Backtest, health_backtest
from health.services.cached_rows import cached_rows_fill
from health.sql import reweighted_score
from metrics.models import ComputedDay
from metrics.services.pipeline import month_end

BACKTEST_MONTHS = 12
_BACKTEST_CACHE_SECONDS = 24 * 3600


def _rounded_at_least(raw: str, bound: str) -> str:
    """SQL: round(raw::numeric, 4) >= bound, as health_scores.sql compares scores with thresholds, rounding only
    the scores within 0.001 of the bound. Rounding to 4 decimals moves a score by at most 0.00005, so a score
    farther from the bound compares the same unrounded, and the numeric rounding (a microsecond each) is left for
    the few near it."""
    return (
        f"CASE WHEN {raw} >= {bound} + 0.001 THEN true WHEN {raw} < {bound} - 0.001 THEN false "
        f"ELSE round({raw}::numeric, 4) >= {bound} END"
    )


def _dropped(prefix: str) -> str:
    """SQL: the drop rule, round(score) <= round(before) − drop_points, rounding only near the bound (as above:
    the two roundings move the difference by at most 0.0001)."""
    score, before, points = f"{prefix}score", f"{prefix}before", f"%({prefix}drop_points)s"
    return (
        f"CASE WHEN {score} - {before} <= -{points} - 0.001 THEN true "
        f"WHEN {score} - {before} > -{points} + 0.001 THEN false "
        f"ELSE round({score}::numeric, 4) <= round({before}::numeric, 4) - {points} END"
    )


def _counts_sql(prefix: str) -> str:
    score = f"{prefix}score"
    green = _rounded_at_least(score, f"%({prefix}green_min)s")
    yellow = _rounded_at_least(score, f"%({prefix}yellow_min)s")
    at_risk = f"NOT {yellow} OR {_dropped(prefix)}"
    return f"""
        COUNT(*) FILTER (WHERE {green}),
        COUNT(*) FILTER (WHERE NOT {green} AND {yellow}),
        COUNT(*) FILTER (WHERE NOT {yellow}),
        COUNT(*) FILTER (WHERE {at_risk}),
        COALESCE(SUM(arr) FILTER (WHERE {at_risk}), 0),
        AVG({score})"""


# Raw SQL: one pass over the day's rows scoring them under two models at once (FILTERed aggregates with each
# model's parameters), with the drop rule's earlier day (one for both models unless their drop_days differ)
# scored under both and hashed by account. The ORM cannot say it in one query. The rows are health_previewrow's
# (health.services.cached_rows): the accounts scored on a day, narrow and together, where metrics_accountday has
# one row of the day to a page.
DISTRIBUTION_SQL = f"""
WITH before AS MATERIALIZED (
    SELECT b.day, b.account_id, {reweighted_score("b", "d_")} AS d_score, {reweighted_score("b", "a_")} AS a_score
    FROM health_previewrow b
    WHERE b.day IN (%(day)s::date - %(d_drop_days)s::int, %(day)s::date - %(a_drop_days)s::int)
)
SELECT COUNT(*),
       {_counts_sql("d_")},
       {_counts_sql("a_")}
FROM (
    SELECT t.arr, {reweighted_score("t", "d_")} AS d_score, bd.d_score AS d_before,
           {reweighted_score("t", "a_")} AS a_score, ba.a_score AS a_before
    FROM health_previewrow t
    LEFT JOIN before bd ON bd.account_id = t.account_id AND bd.day = %(day)s::date - %(d_drop_days)s::int
    LEFT JOIN before ba ON ba.account_id = t.account_id AND ba.day = %(day)s::date - %(a_drop_days)s::int
    WHERE t.day = %(day)s::date
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
    day's stored components re-weighted with the same model). One aggregate query over the day's rows, after the
    days' PreviewRows are filled when this pipeline run has not filled them yet.
    """
    params = {"day": day, **_model_params(draft, "d_"), **_model_params(active, "a_")}
    days = [day, *(day - timedelta(days=model.drop_days) for model in (draft, active))]
    cached_rows_fill(CachedDay.Kind.PREVIEW, days)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"SET LOCAL work_mem = '{BACKTEST_WORK_MEM}'"
        )  # the hashes of the earlier days in memory
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
