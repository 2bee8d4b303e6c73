"""POST /webhooks/stripe through the Django test client, with events signed by the stripe package's own helper:
the signature and its rotation, replays, what is stored and counted, and spans from subscription events."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from pytest_django.fixtures import Settings

from accounts.models import Account, DataSource, SourceRejection, StripeEvent, SubscriptionSpan
from accounts.selectors.sources import source_days
from tests.accounts.stripe_events import URL, at, event, item, post, signed, subscription
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db
START = date(2024, 1, 10)


@pytest.fixture
def account() -> Account:
    """The account of Stripe customer cus_A: its external id is the customer id."""
    return AccountFactory.create(external_id="cus_A", name="Acme")


def spans() -> list[tuple[str, date, date | None, str, Decimal]]:
    return [
        (s.subscription_id, s.starts_on, s.ends_on, s.interval, s.amount)
        for s in SubscriptionSpan.objects.order_by("subscription_id", "starts_on")
    ]


def counted() -> tuple[int, int]:
    days = source_days(source=DataSource.STRIPE)
    return sum(day.accepted for day in days), sum(day.rejected for day in days)


def test_a_signed_event_becomes_a_span_stored_and_counted(client: Client, account: Account) -> None:
    payload = event(subscription(items=[item(4900, 3)]), kind="created", event_id="evt_1")
    response = post(client, payload)
    assert response.status_code == 200
    assert response.json() == {"received": True, "event": "evt_1", "duplicate": False, "state": "applied"}
    assert spans() == [("sub_A", START, None, "month", Decimal("147.0000"))]
    assert SubscriptionSpan.objects.get().account == account
    stored = StripeEvent.objects.get()
    assert (stored.type, stored.subscription_id, stored.customer_id) == (
        "customer.subscription.created",
        "sub_A",
        "cus_A",
    )
    assert stored.payload == payload
    assert counted() == (1, 0)


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        (lambda body: signed(body, secret="whsec_someone_else"), "bad signature"),
        (lambda body: signed(body + " ", secret=None), "bad signature"),  # signs another body
        (lambda body: signed(body, timestamp=int(time.time()) - 6 * 60), "stale timestamp"),
        (lambda body: "", "missing Stripe-Signature header"),
        (lambda body: "t=abc,v1=zz", "bad signature"),
    ],
)
def test_a_refused_request_answers_400_is_counted_and_stores_nothing(
    client: Client, account: Account, header: Callable[[str], str], reason: str
) -> None:
    body = json.dumps(event(subscription(), event_id="evt_refused"))
    response = client.post(
        URL, data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=header(body)
    )
    assert response.status_code == 400
    assert response.json()["error"].startswith(reason)
    assert not StripeEvent.objects.exists() and not SubscriptionSpan.objects.exists()
    assert counted() == (0, 1)
    rejection = SourceRejection.objects.get(source=DataSource.STRIPE)
    assert rejection.reason.startswith(reason)
    assert "evt_refused" not in json.dumps(rejection.detail)  # nothing of the body


def test_five_minutes_old_is_still_accepted(client: Client, account: Account) -> None:
    response = post(client, event(subscription()), timestamp=int(time.time()) - 4 * 60)
    assert response.status_code == 200


def test_the_previous_secret_works_during_a_rotation(
    client: Client, account: Account, settings: Settings
) -> None:
    settings.STRIPE_WEBHOOK_SECRET_PREVIOUS = "whsec_old"
    assert post(client, event(subscription()), secret="whsec_old").status_code == 200
    assert post(client, event(subscription()), secret=settings.STRIPE_WEBHOOK_SECRET).status_code == 200
    settings.STRIPE_WEBHOOK_SECRET_PREVIOUS = ""
    assert post(client, event(subscription()), secret="whsec_old").status_code == 400


def test_no_secret_configured_answers_503(client: Client, settings: Settings) -> None:
    settings.STRIPE_WEBHOOK_SECRET = ""
    response = post(client, event(subscription()), secret="whsec_anything")
    assert response.status_code == 503
    assert "set STRIPE_WEBHOOK_SECRET" in response.json()["error"]
    assert not StripeEvent.objects.exists()


def test_a_replayed_event_answers_200_and_changes_nothing(client: Client, account: Account) -> None:
    first = event(subscription(), kind="created", event_id="evt_same", created=at(START))
    assert post(client, first).json()["state"] == "applied"
    SubscriptionSpan.objects.update(plan="edited since")
    replay = post(client, first)
    assert replay.status_code == 200
    assert replay.json() == {"received": True, "event": "evt_same", "duplicate": True, "state": "applied"}
    assert StripeEvent.objects.count() == 1
    assert SubscriptionSpan.objects.get().plan == "edited since"  # not applied again
    assert counted() == (2, 0)


def test_the_webhook_needs_no_login_and_only_answers_post(client: Client) -> None:
    assert client.get(URL).status_code == 405
    response = client.post(URL, data="{}", content_type="application/json")  # anonymous, no CSRF token
    assert response.status_code == 400
    assert response.json()["error"] == "missing Stripe-Signature header"


def test_a_body_that_is_not_an_event_is_refused(client: Client) -> None:
    body = json.dumps({"hello": "world"})
    response = client.post(
        URL, data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=signed(body)
    )
    assert response.status_code == 400
    assert response.json()["error"] == "not a Stripe event: id: missing or not a str"


def test_other_events_are_stored_as_ignored(client: Client) -> None:
    response = post(client, event({"id": "in_1", "object": "invoice"}, kind="invoice.paid"))
    assert response.json()["state"] == "ignored"
    assert StripeEvent.objects.get().reason == "not a subscription event"
    assert counted() == (1, 0)


def test_another_currency_is_stored_as_ignored_and_counted_rejected(client: Client, account: Account) -> None:
    response = post(client, event(subscription(currency="eur", items=[item(100, currency="eur")])))
    assert response.status_code == 200 and response.json()["state"] == "ignored"
    assert (
        StripeEvent.objects.get().reason == "subscription sub_A: currency: EUR is not Keel's currency (USD)"
    )
    assert not SubscriptionSpan.objects.exists()
    assert counted() == (0, 1)


def test_a_price_change_splits_the_span_on_the_change_day(client: Client, account: Account) -> None:
    post(client, event(subscription(items=[item(10000)]), kind="created", created=at(START)))
    # On 2024-03-15 the quantity goes from 1 to 3.
    post(client, event(subscription(items=[item(10000, 3)]), created=at(date(2024, 3, 15))))
    assert spans() == [
        ("sub_A", START, date(2024, 3, 15), "month", Decimal("100.0000")),
        ("sub_A", date(2024, 3, 15), None, "month", Decimal("300.0000")),
    ]


def test_an_older_event_arriving_late_is_superseded(client: Client, account: Account) -> None:
    post(
        client, event(subscription(items=[item(10000)]), kind="created", created=at(START), event_id="evt_1")
    )
    newer = event(subscription(items=[item(20000)]), created=at(date(2024, 4, 1)), event_id="evt_3")
    older = event(subscription(items=[item(15000)]), created=at(date(2024, 3, 1)), event_id="evt_2")
    assert post(client, newer).json()["state"] == "applied"
    assert post(client, older).json()["state"] == "superseded"
    assert spans() == [
        ("sub_A", START, date(2024, 4, 1), "month", Decimal("100.0000")),
        ("sub_A", date(2024, 4, 1), None, "month", Decimal("200.0000")),
    ]
    assert StripeEvent.objects.get(event_id="evt_2").reason.startswith("evt_3 (created 2024-04-01")
    # Same second: the event id breaks the tie.
    tie = event(subscription(items=[item(1)]), created=at(date(2024, 4, 1)), event_id="evt_0")
    assert post(client, tie).json()["state"] == "superseded"


def test_a_trial_then_cancel_at_period_end_then_deleted(client: Client, account: Account) -> None:
    trial = subscription(status="trialing", trial_start=at(START), trial_end=at(date(2024, 1, 24)))
    post(client, event(trial, kind="created", created=at(START)))
    assert spans() == [
        ("sub_A", START, date(2024, 1, 24), "month", Decimal("0.0000")),
        ("sub_A", date(2024, 1, 24), None, "month", Decimal("100.0000")),
    ]
    # On 2024-02-05 the customer cancels at the end of the period (2024-02-24).
    cancel = trial | {
        "status": "active",
        "cancel_at_period_end": True,
        "current_period_end": at(date(2024, 2, 24)),
    }
    post(client, event(cancel, created=at(date(2024, 2, 5))))
    assert spans()[-1] == ("sub_A", date(2024, 1, 24), date(2024, 2, 24), "month", Decimal("100.0000"))
    # It ends earlier after all: deleted on 2024-02-10.
    deleted = cancel | {
        "status": "canceled",
        "ended_at": at(date(2024, 2, 10)),
        "canceled_at": at(date(2024, 2, 10)),
    }
    post(client, event(deleted, kind="deleted", created=at(date(2024, 2, 10))))
    assert spans() == [
        ("sub_A", START, date(2024, 1, 24), "month", Decimal("0.0000")),
        ("sub_A", date(2024, 1, 24), date(2024, 2, 10), "month", Decimal("100.0000")),
    ]


def test_six_monthly_with_a_20_percent_discount(client: Client, account: Account) -> None:
    # $1,200.00 every 6 months, 20% off: $960.00 / 6 = $160.00 a month.
    obj = subscription(
        items=[item(120000, interval="month", count=6)],
        discount={"id": "di_1", "coupon": {"percent_off": 20, "duration": "forever"}, "end": None},
    )
    post(client, event(obj, kind="created"))
    assert spans() == [("sub_A", START, None, "month", Decimal("160.0000"))]


def test_metadata_keel_account_id_maps_the_customer(client: Client) -> None:
    other = AccountFactory.create(external_id="ACC-42")
    post(client, event(subscription(customer="cus_Z", metadata={"keel_account_id": "ACC-42"})))
    assert SubscriptionSpan.objects.get().account == other
    # Remembered: a later event without the metadata applies to the same account.
    post(client, event(subscription("sub_B", customer="cus_Z")))
    assert SubscriptionSpan.objects.get(subscription_id="sub_B").account == other


def test_an_expanded_customer_object_maps_too(client: Client) -> None:
    other = AccountFactory.create(external_id="ACC-43")
    customer = {"id": "cus_Y", "object": "customer", "metadata": {"keel_account_id": "ACC-43"}}
    post(client, event(subscription(customer=customer)))
    assert SubscriptionSpan.objects.get().account == other
    assert StripeEvent.objects.get().customer_id == "cus_Y"
