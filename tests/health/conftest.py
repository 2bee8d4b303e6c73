"""Shared fixtures of the health tests: the `facts` builder of tests/metrics, days counted back from one day D,
and stored rows written by hand for the services that only read AccountDay (alerts, preview)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.cache import cache

from accounts.models import Account, User
from health.models import DEFAULT_PARAMETERS, HealthModel
from health.selectors import health_model_active
from health.services import health_model_draft
from metrics.models import AccountDay, ComputedDay
from tests.metrics.conftest import Facts
from tests.metrics.conftest import facts as facts  # the fixture, shared with tests/metrics

D = date(2024, 6, 30)  # the day scored in the known-answer tests
TODAY = "2024-07-01"  # what the pipeline takes for today: D is within the retention window


def activity_only() -> HealthModel:
    """A draft that scores activity alone (green from 70, red below 40, at risk after a fall of 15 in 30 days):
    score = 100 × min(1, active days of 30 / 20)."""
    return health_model_draft(
        weights={"activity": 1},
        parameters=DEFAULT_PARAMETERS,
        green_min=70,
        yellow_min=40,
        drop_points=15,
        drop_days=30,
    )


def ago(days: int) -> str:
    """D − days as YYYY-MM-DD."""
    return (D - timedelta(days=days)).isoformat()


def moment(days: int, hour: int = 12) -> str:
    """Noon UTC on D − days (KEEL_TIMEZONE is UTC in the tests)."""
    return f"{ago(days)}T{hour:02d}:00:00Z"


def events(facts: Facts, account: Account, *days_ago: int, user: str = "u1") -> None:
    for days in days_ago:
        facts.event(account, user, moment(days))


def score_day(facts: Facts, start: str | None = None) -> None:
    """Compute `start` (default D) … D."""
    facts.compute(start or D.isoformat(), D.isoformat(), today=TODAY)


@pytest.fixture(autouse=True)
def _no_cached_backtests() -> None:
    """The preview caches backtests in the process's cache: start every test without them."""
    cache.clear()


@pytest.fixture
def stored_day(db: None) -> Callable[..., AccountDay]:
    """`stored_day(account, day, score=…, at_risk=…, arr=…, **components)`: a stored AccountDay row as the
    pipeline writes it (status from the active model's thresholds), and the day in the ledger."""

    def store(account: Account, day: date, *, score: float | None = 80.0, **fields: Any) -> AccountDay:
        model: HealthModel = fields.pop("health_model", None) or health_model_active()
        status = ""
        if score is not None:
            status = "green" if score >= model.green_min else "yellow" if score >= model.yellow_min else "red"
        values: dict[str, Any] = {
            "csm": account.csm,
            "arr": 1200,
            "health_model": model if score is not None else None,
            "score": score,
            "status": status,
            "at_risk": status == "red",
            "activity": score,
            "support": score,
            "recency": score,
        }
        values.update(fields)
        ComputedDay.objects.get_or_create(day=day)
        row, _ = AccountDay.objects.update_or_create(account=account, day=day, defaults=values)
        return row

    return store


CHURNERS = ("Atlas Freight", "Beacon Dental", "Cobalt Studios", "Delta Payroll")
STAYERS = ("Evergreen Clinics", "Fjord Analytics", "Granite Legal", "Harbor Foods")


def churn_book(facts: Facts, csm: User | None = None) -> Facts:
    """Month-ends 2024-01…03 and D = 2024-06-30 computed, every account `csm`'s. Four churners (stop paying
    2024-05-15) use the product every day but open urgent tickets; four stayers use it once a month and open
    no tickets until one on D−1. The default model scores the churners higher (AUC near 0), a model without
    activity the stayers (AUC near 1): the backtest and the status counts move when activity's weight does."""
    for index, (churned, stayed) in enumerate(zip(CHURNERS, STAYERS, strict=True)):
        churner = facts.account(churned, csm=csm)
        facts.span(churner, "100.00", "month", "2023-06-01", "2024-05-15")
        stayer = facts.account(stayed, csm=csm)
        facts.span(stayer, "100.00", "month", "2023-06-01")
        for day in range(1, 29):
            for month in ("01", "02", "03"):
                facts.event(churner, "u1", f"2024-{month}-{day:02d}T09:00:00Z")
        for month in ("01", "02", "03"):
            facts.event(stayer, "u1", f"2024-{month}-{20 + index:02d}T09:00:00Z")
            for _ in range(index + 2):
                facts.ticket(churner, f"2024-{month}-15T10:00:00Z", priority="urgent")
        events(facts, stayer, 3)
        facts.ticket(stayer, moment(1), priority="high")
    for computed in ("2024-01-31", "2024-02-29", "2024-03-31", ago(0)):
        facts.compute(computed, computed, today="2024-07-01")
    return facts
