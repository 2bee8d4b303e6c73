"""A small builder of raw facts for known-answer tests of the pipeline, and a reader of what it computed."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import (
    BEGINNING_OF_TIME,
    Account,
    AccountOwnership,
    ChangedUsageDay,
    Contact,
    Role,
    Spend,
    SubscriptionSpan,
    SurveyResponse,
    Ticket,
    UsageEvent,
    User,
)
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


@pytest.fixture
def facts(db: None) -> Facts:
    reader = User.objects.create_user("reader@keel.test", None, name="Reader", role=Role.ADMIN)
    return Facts(reader=reader)
