"""The Health page's preview: what a draft model would say against the active one, from stored components.

Weights, thresholds and the drop rule only re-weight the components stored on metrics.AccountDay, so a draft is
previewed without recomputing anything: one aggregate query over the latest computed day, and the backtest
(METRICS.md "Backtest") over the last 12 months whose 90 days are over. Both read narrow copies of the stored
components that the pipeline keeps (metrics.PreviewRow of the latest day and of the day the active model's drop
rule compares with; health.BacktestRow); a draft whose drop rule compares with another day reads that day's
daily rows. A changed component parameter is not reflected until history is recomputed with it; the page says so.
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

from accounts.months import add_months, month_end
from accounts.sql import compose, set_local
from health.models import HealthModel
from health.selectors import Backtest, health_backtest
from health.selectors.backtest import BACKTEST_WORK_MEM, CHURN_HORIZON_DAYS
from metrics.models import ComputedDay

BACKTEST_MONTHS = 12
_BACKTEST_CACHE_SECONDS = 24 * 3600


def _score(row: str, model: str) -> str:
    """SQL: the score of `row`'s components under the model whose parameters start with `model`."""
    return (
        f"keel_health_score({row}.activity, {row}.adoption, {row}.sentiment, {row}.support, {row}.revenue, "
        f"{row}.recency, {row}.revenue_trend, %({model}weights)s::float8[], %({model}denominators)s::float8[])"
    )


def _counts(model: str) -> str:
    score, before = f"{model}score", f"{model}before"
    # the onboarding rules: an onboarding account is never at risk (its stage is stored with its components)
    applies = f"(%({model}onboarding_rules)s::float <> 1 OR stage IS DISTINCT FROM 'onboarding')"
    at_risk = (
        f"{applies} AND keel_health_at_risk({score}, {before}, %({model}yellow_min)s, %({model}drop_points)s)"
    )
    status = f"keel_health_status({score}, %({model}green_min)s, %({model}yellow_min)s)"
    return f"""
        COUNT(*) FILTER (WHERE {status} = 'green'),
        COUNT(*) FILTER (WHERE {status} = 'yellow'),
        COUNT(*) FILTER (WHERE {status} = 'red'),
        COUNT(*) FILTER (WHERE {at_risk}),
        COALESCE(SUM(arr) FILTER (WHERE {at_risk}), 0),
        AVG({score})"""


# Raw SQL: one pass over the day's rows scoring them under two models at once (FILTERed aggregates with each
# model's parameters), each model's earlier day scored and hashed by account, through the functions the pipeline
# scores with (keel_health_*). The ORM cannot say it in one query. Each day is read from metrics_previewrow when
# the pipeline copied it there, else from metrics_accountday (`{today}`, `{d_before}`, `{a_before}`); a row of
# either is scored when it has components (activity is stored for every scored row, and for no other).
DISTRIBUTION_SQL = f"""
SELECT COUNT(*),
       {_counts("d_")},
       {_counts("a_")}
FROM (
    SELECT t.arr, t.stage, {_score("t", "d_")} AS d_score, bd.score AS d_before,
           {_score("t", "a_")} AS a_score, ba.score AS a_before
    FROM {{today}} t
    LEFT JOIN (
        SELECT b.account_id, {_score("b", "d_")} AS score FROM {{d_before}} b WHERE b.day = %(d_before_day)s
    ) bd ON bd.account_id = t.account_id
    LEFT JOIN (
        SELECT b.account_id, {_score("b", "a_")} AS score FROM {{a_before}} b WHERE b.day = %(a_before_day)s
    ) ba ON ba.account_id = t.account_id
    WHERE t.day = %(day)s AND t.activity IS NOT NULL
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
    keys = ("weights", "denominators", "green_min", "yellow_min", "drop_points", "onboarding_rules")
    return {f"{prefix}{key}": params[key] for key in keys}


def _preview_days() -> set[date]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT day FROM metrics_previewrow")
        return {day for (day,) in cursor.fetchall()}


def health_distributions(
    *, day: date, draft: HealthModel, active: HealthModel
) -> tuple[Distribution, Distribution]:
    """(draft, active) status counts of the accounts scored on `day`, re-weighting their stored components.

    At risk as in METRICS.md: red, or scored `drop_days` before too and at least `drop_points` lower now (that
    day's stored components re-weighted with the same model). One aggregate query over the day's rows.
    """
    cached = _preview_days()

    def source(on: date) -> str:
        return "metrics_previewrow" if on in cached else "metrics_accountday"

    d_before, a_before = (day - timedelta(days=model.drop_days) for model in (draft, active))
    statement = compose(
        DISTRIBUTION_SQL, today=source(day), d_before=source(d_before), a_before=source(a_before)
    )
    params = {
        "day": day,
        "d_before_day": d_before,
        "a_before_day": a_before,
        **_model_params(draft, "d_"),
        **_model_params(active, "a_"),
    }
    with transaction.atomic(), connection.cursor() as cursor:
        set_local("work_mem", BACKTEST_WORK_MEM)  # the hashes of the earlier days in memory
        cursor.execute(statement, params)
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


def backtest_months(*, last_day: date, months: int = BACKTEST_MONTHS) -> tuple[date, date]:
    """The first days of the first and last of the `months` latest months whose month-end is at least 90 days
    before `last_day` (later month-ends are left out of a backtest anyway)."""
    last_end = month_end(last_day - timedelta(days=CHURN_HORIZON_DAYS))
    if last_end + timedelta(days=CHURN_HORIZON_DAYS) > last_day:
        last_end = last_end.replace(day=1) - timedelta(days=1)
    last_month = last_end.replace(day=1)
    return add_months(last_month, 1 - months), last_month


def health_backtest_cached(
    *, first_month: date, last_month: date, model: HealthModel, ledger: str, by_month: bool = False
) -> Backtest:
    """`health_backtest`, kept while `ledger` (the pipeline's last change, see `health_preview`) and the model's
    values stay the same: the Health page shows the active model's backtest on every visit."""
    values = json.dumps(
        [
            model.sql_params() | {"model_id": None},
            first_month.isoformat(),
            last_month.isoformat(),
            ledger,
            by_month,
        ],
        sort_keys=True,
    )
    # v2: a Backtest has month-ends since the page charts them; the entries before lack the field
    key = f"keel:health-backtest:v2:{hashlib.sha256(values.encode()).hexdigest()}"
    result: Backtest | None = cache.get(key)
    if result is None:
        result = health_backtest(
            first_month=first_month, last_month=last_month, model=model, by_month=by_month
        )
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
    active_backtest = cached(model=active, by_month=True)  # the page charts its month-ends
    return Preview(
        day=day,
        draft=draft_counts,
        active=active_counts,
        first_month=first_month,
        last_month=last_month,
        draft_backtest=active_backtest if draft is active else cached(model=draft),
        active_backtest=active_backtest,
    )
