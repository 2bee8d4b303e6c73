"""Stripe webhooks (issue 14): signed subscription events posted one request each through Django's test client
(the whole view: signature, JSON, storing, spans; no network), then a quarantined customer's waiting events
applied by a mapping."""

from __future__ import annotations

import json
import time
from datetime import date, timedelta

import stripe
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client

from accounts.models import Account, StripeCustomer, StripeEvent, SubscriptionSpan
from accounts.services.stripe import stripe_customer_map
from accounts.sql import compose
from tests.accounts.stripe_events import at, event, item, subscription
from tests.bench.databases import use_database

BENCH_DB = "keel_bench_stripe_webhooks"  # not keel_bench_stripe: another branch used that name
ACCOUNTS = 500
WAITING = 200
SECRET = "whsec_bench"

Row = tuple[str, str, str]


def _build() -> None:
    Account.objects.bulk_create(
        Account(external_id=f"cus_b{n:05d}", name=f"Bench {n:05d}") for n in range(ACCOUNTS)
    )


def _post(client: Client, payload: dict[str, object]) -> None:
    body = json.dumps(payload)
    header = stripe.WebhookSignature.generate_signature_header(body, SECRET)
    response = client.post(
        "/webhooks/stripe", data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=header
    )
    assert response.status_code == 200, response.content


def bench_stripe() -> list[Row]:
    # A small dataset, written again on every run (no cached recipe needed).
    use_database(BENCH_DB)
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:  # what the last run wrote
        tables = [model._meta.db_table for model in (StripeEvent, StripeCustomer, SubscriptionSpan, Account)]
        cursor.execute(compose("TRUNCATE {tables} CASCADE", tables=tables))
    _build()
    previous = settings.STRIPE_WEBHOOK_SECRET, settings.ALLOWED_HOSTS
    settings.STRIPE_WEBHOOK_SECRET, settings.ALLOWED_HOSTS = SECRET, ["testserver"]
    client = Client()
    start, change = date(2025, 1, 10), date(2025, 6, 15)
    try:
        began = time.perf_counter()
        for n in range(ACCOUNTS):
            sub = f"sub_b{n:05d}"
            _post(
                client,
                event(subscription(sub, f"cus_b{n:05d}", start=start), kind="created", created=at(start)),
            )
            upgraded = subscription(sub, f"cus_b{n:05d}", start=start, items=[item(10000, 3)])
            _post(client, event(upgraded, created=at(change)))
        posted = time.perf_counter() - began
        for n in range(WAITING):
            day = start + timedelta(days=n)
            _post(
                client,
                event(
                    subscription("sub_waiting", "cus_unknown", start=start, items=[item(100 + n)]),
                    created=at(day),
                ),
            )
        began = time.perf_counter()
        result = stripe_customer_map(customer_id="cus_unknown", account_external_id="cus_b00000", by=None)
        mapped = time.perf_counter() - began
    finally:
        settings.STRIPE_WEBHOOK_SECRET, settings.ALLOWED_HOSTS = previous
    assert SubscriptionSpan.objects.filter(subscription_id__startswith="sub_b").count() == 2 * ACCOUNTS
    assert result.states == {"applied": WAITING}, result.states
    events = 2 * ACCOUNTS
    return [
        (
            "stripe: webhook events",
            f"{events / posted:,.0f} events/s",
            f"{events:,} signed subscription events (created, then a quantity change splitting the span), one "
            "request each through the test client, one process",
        ),
        (
            "stripe: apply a mapped customer",
            f"{mapped:.2f} s",
            f"{WAITING} waiting events of one subscription applied in order after a mapping",
        ),
    ]
