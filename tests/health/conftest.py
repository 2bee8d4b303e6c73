"""Shared fixtures of the health tests: the `facts` builder of tests/metrics, days counted back from one day D,
and stored rows written by hand for the services that only read AccountDay (alerts, preview)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest

from accounts.models import Account
from health.models import HealthModel
from health.services import health_model_active
from metrics.models import AccountDay, ComputedDay
from tests.metrics.conftest import Facts
from tests.metrics.conftest import facts as facts  # the fixture, shared with tests/metrics

D = date(2024, 6, 30)  # the day scored in the known-answer tests
TODAY = "2024-07-01"  # what the pipeline takes for today: D is within the retention window


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
