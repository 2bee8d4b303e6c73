"""Fixtures of the surveys' tests: a small book of contacts to survey, sending with its Celery tasks run as the
commit runs them (eagerly, as without Redis), and a real SMTP server on loopback (aiosmtpd) that can refuse."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import pytest
from pytest_django import DjangoCaptureOnCommitCallbacks

from accounts.models import Account, Contact
from surveys.models import Survey
from surveys.services import survey_send
from tests.factories import AccountFactory, ContactFactory, SubscriptionSpanFactory


@dataclass
class Book:
    """Atlas (smb, $1,200/year: MRR 100) with ana@atlas.example and ben@atlas.example; Beacon (enterprise,
    $50/month) with cleo@beacon.example; Cobalt (smb, its span ended in 2024: MRR 0) with dan@cobalt.example;
    Delta (smb, a $0 plan: MRR 0) with eve@delta.example."""

    accounts: dict[str, Account]
    contacts: dict[str, Contact]

    def emails(self, *names: str) -> set[str]:
        return {self.contacts[name].email for name in names}


@pytest.fixture
def book(db: None) -> Book:
    accounts = {
        "Atlas": AccountFactory.create(name="Atlas", segment="smb"),
        "Beacon": AccountFactory.create(name="Beacon", segment="enterprise"),
        "Cobalt": AccountFactory.create(name="Cobalt", segment="smb"),
        "Delta": AccountFactory.create(name="Delta", segment="smb"),
    }
    SubscriptionSpanFactory(account=accounts["Atlas"], interval="year", amount="1200.00")
    SubscriptionSpanFactory(account=accounts["Beacon"], interval="month", amount="50.00")
    SubscriptionSpanFactory(
        account=accounts["Cobalt"], starts_on=datetime(2023, 1, 1).date(), ends_on=datetime(2024, 6, 1).date()
    )
    SubscriptionSpanFactory(account=accounts["Delta"], amount="0.00")
    people = {
        "ana": ("Atlas", "Ana Atlas"),
        "ben": ("Atlas", "Ben Atlas"),
        "cleo": ("Beacon", "Cleo Beacon"),
        "dan": ("Cobalt", "Dan Cobalt"),
        "eve": ("Delta", "Eve Delta"),
    }
    contacts = {
        short: ContactFactory.create(
            account=accounts[account], name=name, email=f"{short}@{account.lower()}.example"
        )
        for short, (account, name) in people.items()
    }
    return Book(accounts=accounts, contacts=contacts)


Send = Callable[..., int]


@pytest.fixture
def send(django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks) -> Send:
    """`send(survey, now=…)`: survey_send, its tasks run when the commit runs them (eagerly here)."""

    def run(survey: Survey, now: datetime | None = None) -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return survey_send(survey=survey, now=now)

    return run
