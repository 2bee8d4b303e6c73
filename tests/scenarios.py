"""Known-answer scenarios of the pipeline: a builder of raw facts and a reader of what it computed (`Facts`), days
counted back from one day D, and the health scenarios (a churn book, an activity-only model). Fixtures that
build them are in tests/conftest.py."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from accounts.models import (
    BEGINNING_OF_TIME,
    Account,
    AccountOwnership,
    ChangedUsageDay,
    Contact,
    Spend,
    SubscriptionSpan,
    SurveyResponse,
    Ticket,
    UsageEvent,
    User,
)
from health.models import DEFAULT_PARAMETERS, HealthModel
from health.services import health_model_draft
from metrics.models import AccountDay
from metrics.selectors import By, monthly_kpis
from metrics.services.pipeline import snapshot_compute

_ids = itertools.count(1)


def at(text: str) -> datetime:
    """An aware datetime from ISO 8601 text with an offset or Z."""
    value = datetime.fromisoformat(text)
    assert value.tzinfo is not None, text
    return value


@dataclass
class Facts:
    """Writes raw facts as the importer would (ownership rows included, usage days marked stale)."""

    reader: User
    accounts: dict[str, Account] = field(default_factory=dict)

    def account(
        self, name: str, *, csm: User | None = None, segment: str | None = "smb", seats: int | None = None
    ) -> Account:
        account = Account.objects.create(external_id=name, name=name, csm=csm, segment=segment, seats=seats)
        AccountOwnership.objects.create(account=account, csm=csm, valid_from=BEGINNING_OF_TIME)
        self.accounts[name] = account
        return account

    def span(
        self,
        account: Account,
        amount: str,
        interval: str,
        starts_on: str,
        ends_on: str | None = None,
        *,
        subscription: str | None = None,
    ) -> SubscriptionSpan:
        return SubscriptionSpan.objects.create(
            subscription_id=subscription or f"sub_{next(_ids)}",
            account=account,
            amount=Decimal(amount),
            interval=interval,
            currency="USD",
            starts_on=date.fromisoformat(starts_on),
            ends_on=date.fromisoformat(ends_on) if ends_on else None,
        )

    def ticket(self, account: Account, created: str, **fields: Any) -> Ticket:
        for name in ("first_response_at", "resolved_at"):
            if isinstance(fields.get(name), str):
                fields[name] = at(fields[name])
        return Ticket.objects.create(
            external_id=f"T{next(_ids)}", account=account, created_at=at(created), **fields
        )

    def contact(self, account: Account) -> Contact:
        number = next(_ids)
        return Contact.objects.create(
            external_id=f"C{number}", account=account, email=f"c{number}@example.com"
        )

    def response(
        self, account: Account, kind: str, score: int, responded: str, *, contact: Contact | None = None
    ) -> SurveyResponse:
        return SurveyResponse.objects.create(
            external_id=f"R{next(_ids)}",
            account=account,
            contact=contact,
            kind=kind,
            score=score,
            responded_at=at(responded),
        )

    def event(self, account: Account, user: str, occurred: str, name: str = "login", count: int = 1) -> None:
        moment = at(occurred)
        UsageEvent.objects.create(account=account, user_id=user, event=name, occurred_at=moment, count=count)
        ChangedUsageDay.objects.update_or_create(day=timezone.localdate(moment))

    def spend(self, month: str, amount: str) -> None:
        Spend.objects.create(month=date.fromisoformat(f"{month}-01"), amount=Decimal(amount))

    def compute(self, start: str, end: str, *, today: str | None = None) -> None:
        snapshot_compute(
            start=date.fromisoformat(start),
            end=date.fromisoformat(end),
            today=date.fromisoformat(today) if today else None,
        )

    def kpis(
        self, first: str, last: str | None = None, *, by: By = None, user: User | None = None
    ) -> list[dict[str, Any]]:
        return monthly_kpis(
            user=user or self.reader,
            start=date.fromisoformat(f"{first}-01"),
            end=date.fromisoformat(f"{(last or first)}-01"),
            by=by,
        )

    def month(self, month: str, **kwargs: Any) -> dict[str, Any]:
        (row,) = self.kpis(month, **kwargs)
        return row

    def day(self, account: Account, day: str) -> AccountDay:
        return AccountDay.objects.get(account=account, day=date.fromisoformat(day))


D = date(2024, 6, 30)  # the day scored in the known-answer tests
TODAY = "2024-07-01"  # what the pipeline takes for today: D is within the retention window


def activity_only() -> HealthModel:
    """A draft that scores activity alone (green from 70, red below 40, at risk after a fall of 15 in 30 days):
    score = 100 × min(1, active days of 30 / 20)."""
    return model_draft({"activity": 1})


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


def slipping_account(facts: Facts, name: str = "SLIPPING", csm: User | None = None) -> Account:
    """Paying $100/month for long (revenue 100), no seats (adoption null), no NPS (sentiment null); D−30 … D
    computed. Active on D−54…D−30 (25 days) and D−7…D (8 days); 2 urgent tickets on D−3. Weights 30 + 15 + 10 +
    10 = 65:
    - D−30: activity 100 (25 days), support 100, revenue 100, recency 100 → 6500 / 65 = 100.
    - D−7: activity 100 × 8/20 = 40 (D−7 and D−36…D−30), support 100 → (1200 + 1500 + 2000) / 65 = 72.3077.
    - D: activity 40, support 100 − 2 × 15 = 70 → (1200 + 1050 + 2000) / 65 = 65.3846: yellow, and at risk
      (100 − 65.3846 ≥ 15).
    """
    account = facts.account(name, csm=csm)
    facts.span(account, "100.00", "month", ago(400))
    events(facts, account, *range(8), *range(30, 55))
    facts.ticket(account, moment(3), priority="urgent")
    facts.ticket(account, moment(3, hour=14), priority="urgent")
    score_day(facts, start=ago(30))
    return account


def model_draft(weights: dict[str, float], **changes: float) -> HealthModel:
    """A draft with these weights and METRICS.md's defaults otherwise (green from 70, red below 40, at risk after
    a fall of 15 in 30 days), but for `changes`."""
    values: dict[str, float] = {
        "green_min": 70,
        "yellow_min": 40,
        "drop_points": 15,
        "drop_days": 30,
        **changes,
    }
    return health_model_draft(
        weights=weights,
        parameters=DEFAULT_PARAMETERS,
        green_min=values["green_min"],
        yellow_min=values["yellow_min"],
        drop_points=values["drop_points"],
        drop_days=int(values["drop_days"]),
    )
