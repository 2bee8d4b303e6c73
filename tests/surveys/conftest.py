"""Fixtures of the surveys' tests: a small book of contacts to survey, sending with its Celery tasks run as the
commit runs them (eagerly, as without Redis), and a real SMTP server on loopback (aiosmtpd) that can refuse."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from pytest_django import DjangoCaptureOnCommitCallbacks
from pytest_django.fixtures import Settings

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


@dataclass
class SmtpServer:
    """What a real SMTP server on loopback received, and how it answers. `refuse[address]` is the reply to RCPT
    for that address (e.g. "550 5.1.1 No such user"); `drop` holds addresses whose message makes the server
    hang up instead of answering DATA; `refuse_sender` is the reply to every MAIL FROM when set."""

    host: str
    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)
    drop: set[str] = field(default_factory=set)
    refuse_sender: str = ""
    connections: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def to(self, address: str) -> list[EmailMessage]:
        return [message for message in self.messages if message["To"] == address]

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        with self.lock:
            self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_MAIL(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if self.refuse_sender:
            return self.refuse_sender
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        reply = self.refuse.get(address.lower())
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.drop & {address.lower() for address in envelope.rcpt_tos}:
            server.transport.close()
            return "421 closing"
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(message)
            self.recipients += envelope.rcpt_tos
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def use_smtp(settings: Settings, port: int) -> None:
    """Django's SMTP backend to 127.0.0.1:`port`, as EMAIL_URL=smtp://127.0.0.1:port would say."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5


@pytest.fixture
def smtp(settings: Settings) -> Iterator[SmtpServer]:
    """A real SMTP server on loopback, and Django's SMTP backend pointed at it."""
    server = SmtpServer(host="127.0.0.1", port=free_port())
    controller = Controller(server, hostname=server.host, port=server.port)
    controller.start()
    use_smtp(settings, server.port)
    try:
        yield server
    finally:
        controller.stop()
