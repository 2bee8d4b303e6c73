"""Sending a survey (issue 13): 10,000 contacts of paying accounts invited, their emails sent through Django's SMTP
backend to an aiosmtpd sink on loopback (another process, as a mail server would be). The batches run in this
process, one after the other, as one worker would run them."""

from __future__ import annotations

import time
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction

from accounts.models import Account, Contact, SubscriptionSpan
from accounts.sql import compose
from config.celery_app import app
from surveys.models import Invitation, Survey, SurveyOptOut
from surveys.services import invitations, survey_create, survey_send
from tests.bench.databases import dataset
from tests.bench.servers import smtp_sink

BENCH_DB = "keel_bench_surveys"
ACCOUNTS = 5_000
CONTACTS_PER_ACCOUNT = 2

Row = tuple[str, str, str]


def _build() -> None:
    """5,000 accounts paying $100/month since 2024, two contacts each."""
    accounts = Account.objects.bulk_create(
        Account(external_id=f"B{n:05d}", name=f"Bench {n:05d}", segment=("smb", "enterprise")[n % 2])
        for n in range(ACCOUNTS)
    )
    SubscriptionSpan.objects.bulk_create(
        SubscriptionSpan(
            subscription_id=f"sub_b{account.pk}",
            account=account,
            interval="month",
            amount=Decimal("100.00"),
            currency="USD",
            starts_on=date(2024, 1, 1),
        )
        for account in accounts
    )
    Contact.objects.bulk_create(
        Contact(
            external_id=f"C{account.pk}-{n}",
            account=account,
            email=f"person{n}@bench{account.pk}.example",
            name=f"Person {n}",
        )
        for account in accounts
        for n in range(CONTACTS_PER_ACCOUNT)
    )


def bench_surveys(*, fresh: bool) -> list[Row]:
    contacts = ACCOUNTS * CONTACTS_PER_ACCOUNT
    recipe = {"accounts": ACCOUNTS, "contacts": contacts, "since": "2024-01-01"}
    dataset(BENCH_DB, recipe, _build, fresh=fresh)
    with connection.cursor() as cursor:  # what the last run sent
        tables = [model._meta.db_table for model in (SurveyOptOut, Invitation, Survey)]
        cursor.execute(compose("TRUNCATE {tables} CASCADE", tables=tables))
    previous = {key: app.conf[key] for key in ("task_always_eager", "task_eager_propagates")}
    app.conf.update(
        task_always_eager=True, task_eager_propagates=True
    )  # the batches run here, whatever REDIS_URL
    email = {key: getattr(settings, key) for key in ("EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT")}
    try:
        with smtp_sink() as port:
            settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
            settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
            survey = survey_create(name="Bench NPS", kind="nps")
            began = time.perf_counter()
            with transaction.atomic():  # the batches are queued, and run, when this commits
                queued = survey_send(survey=survey)
                created = time.perf_counter()
            finished = time.perf_counter()
    finally:
        app.conf.update(previous)
        for key, value in email.items():
            setattr(settings, key, value)
    sent = Invitation.objects.filter(state=Invitation.State.SENT).count()
    assert queued == sent == contacts, (queued, sent)
    create_seconds, send_seconds = created - began, finished - created
    return [
        (
            "survey: create invitations",
            f"{create_seconds:.2f} s",
            f"{contacts:,} contacts of {ACCOUNTS:,} paying accounts, one INSERT, 256-bit tokens",
        ),
        (
            "survey: send invitations",
            f"{sent / send_seconds:,.0f} emails/s",
            f"{sent:,} HTML + text emails in {send_seconds:.1f} s to an SMTP sink on loopback, "
            f"batches of {invitations.BATCH} over one connection each, one worker",
        ),
    ]
