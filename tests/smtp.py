"""A real SMTP server on loopback (aiosmtpd) for the tests that send email: the `smtp` fixture points Django's SMTP
backend at it and gives what it received. A pytest plugin of the whole suite (tests/conftest.py)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from pytest_django.fixtures import Settings


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
