"""Stripe events for the tests: subscription objects shaped as Stripe sends them, signed with the stripe
package's own helper and posted to /webhooks/stripe through the Django test client."""

from __future__ import annotations

import itertools
import json
import time
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import stripe
from django.conf import settings
from django.test import Client

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

URL = "/webhooks/stripe"
_numbers = itertools.count(1)


def at(day: date, hour: int = 12) -> int:
    """A Stripe timestamp: `hour` o'clock of `day` in KEEL_TIMEZONE."""
    return int(
        datetime(day.year, day.month, day.day, hour, tzinfo=ZoneInfo(settings.KEEL_TIMEZONE)).timestamp()
    )


def item(
    cents: int, quantity: int = 1, *, interval: str = "month", count: int = 1, **price: Any
) -> dict[str, Any]:
    number = next(_numbers)
    return {
        "id": f"si_{number}",
        "object": "subscription_item",
        "quantity": quantity,
        "price": {
            "id": f"price_{number}",
            "object": "price",
            "currency": settings.KEEL_CURRENCY.lower(),
            "unit_amount": cents,
            "unit_amount_decimal": str(cents),
            "nickname": price.pop("nickname", "Pro"),
            "recurring": {"interval": interval, "interval_count": count, "usage_type": "licensed"},
            "type": "recurring",
            **price,
        },
    }


def subscription(
    sub_id: str = "sub_A",
    customer: Any = "cus_A",
    *,
    items: list[dict[str, Any]] | None = None,
    start: date = date(2024, 1, 10),
    status: str = "active",
    **fields: Any,
) -> dict[str, Any]:
    return {
        "id": sub_id,
        "object": "subscription",
        "customer": customer,
        "currency": settings.KEEL_CURRENCY.lower(),
        "status": status,
        "start_date": at(start),
        "created": at(start),
        "cancel_at_period_end": False,
        "canceled_at": None,
        "ended_at": None,
        "trial_end": None,
        "discount": None,
        "metadata": {},
        "items": {"object": "list", "data": [item(10000)] if items is None else items},
        **fields,
    }


def event(
    obj: dict[str, Any], *, kind: str = "updated", created: int | None = None, event_id: str | None = None
) -> dict[str, Any]:
    return {
        "id": event_id or f"evt_{next(_numbers):06d}",
        "object": "event",
        "api_version": "2025-04-30.basil",
        "type": kind if "." in kind else f"customer.subscription.{kind}",
        "created": created if created is not None else int(time.time()),
        "livemode": False,
        "data": {"object": obj},
    }


def signed(body: str, *, secret: str | None = None, timestamp: int | None = None) -> str:
    return stripe.WebhookSignature.generate_signature_header(
        body, secret or settings.STRIPE_WEBHOOK_SECRET, timestamp=timestamp
    )


def post(
    client: Client, payload: dict[str, Any], *, secret: str | None = None, timestamp: int | None = None
) -> Response:
    """POST the event to the webhook, signed now (or at `timestamp`) with `secret` (the configured one)."""
    body = json.dumps(payload)
    header = signed(body, secret=secret, timestamp=timestamp)
    return client.post(URL, data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=header)
