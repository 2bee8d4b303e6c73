"""Stripe customers that map to no account: kept in the quarantine with their events, shown to admins on
/data/stripe/, applied in order once an admin maps them, and mapped for good."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from accounts.models import (
    Account,
    DataSource,
    StripeCustomer,
    StripeEvent,
    SubscriptionSpan,
    User,
)
from accounts.selectors.sources import source_days
from tests.accounts.stripe_events import at, event, item, post, subscription
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db
PAGE = "/data/stripe/"
START = date(2024, 1, 10)


@pytest.fixture
def account() -> Account:
    return AccountFactory.create(external_id="ACC-77", name="Northwind Traders")


def test_an_unknown_customer_waits_and_applies_in_order_after_mapping(
    client: Client, admin_user: User, account: Account
) -> None:
    # Three events of cus_Q, arriving out of order, for an account Keel does not know as cus_Q.
    created = event(subscription(customer="cus_Q", items=[item(10000)]), kind="created", created=at(START))
    upgraded = event(subscription(customer="cus_Q", items=[item(10000, 2)]), created=at(date(2024, 2, 20)))
    stale = event(subscription(customer="cus_Q", items=[item(5000)]), created=at(date(2024, 2, 1)))
    for payload in (upgraded, created, stale):
        response = post(client, payload)
        assert response.status_code == 200 and response.json()["state"] == "quarantined"
    assert not SubscriptionSpan.objects.exists()
    assert StripeCustomer.objects.get().account is None
    assert StripeEvent.objects.get(event_id=created["id"]).reason == "customer cus_Q maps to no account"

    client.force_login(admin_user)
    page = client.get(PAGE)
    assert page.status_code == 200
    text = page.content.decode()
    assert "cus_Q" in text and ">3<" in text.replace(" ", "")

    response = client.post(PAGE, {"customer_id": "cus_Q", "account": "ACC-77"}, follow=True)
    assert response.status_code == 200
    assert (
        "cus_Q is now Northwind Traders (ACC-77); 3 waiting events (3 applied)." in response.content.decode()
    )
    assert "No customer is waiting" in response.content.decode()
    # In order (created): created, the stale one (applied then, as it is older than the upgrade), the upgrade.
    assert [
        (s.starts_on, s.ends_on, s.amount, s.account_id)
        for s in SubscriptionSpan.objects.order_by("starts_on")
    ] == [
        (START, date(2024, 2, 1), Decimal("100.0000"), account.pk),
        (date(2024, 2, 1), date(2024, 2, 20), Decimal("50.0000"), account.pk),
        (date(2024, 2, 20), None, Decimal("200.0000"), account.pk),
    ]
    assert set(StripeEvent.objects.values_list("state", flat=True)) == {"applied"}
    customer = StripeCustomer.objects.get()
    assert (customer.account, customer.mapped_by) == (account, admin_user)
    # Counted once, when they came: applying them later counts nothing more.
    assert [day.accepted for day in source_days(source=DataSource.STRIPE)] == [3]

    # Later events of cus_Q apply directly.
    later = post(
        client, event(subscription(customer="cus_Q", items=[item(10000, 4)]), created=at(date(2024, 3, 1)))
    )
    assert later.json()["state"] == "applied"
    assert SubscriptionSpan.objects.order_by("starts_on").last().amount == Decimal("400.0000")  # type: ignore[union-attr]


def test_mapping_to_an_unknown_account_says_so_and_changes_nothing(
    client: Client, admin_user: User, account: Account
) -> None:
    post(client, event(subscription(customer="cus_Q")))
    client.force_login(admin_user)
    response = client.post(PAGE, {"customer_id": "cus_Q", "account": "ACC-NOPE"})
    assert response.status_code == 400
    assert "No account has the external id &#x27;ACC-NOPE&#x27;." in response.content.decode()
    assert StripeCustomer.objects.get().account is None
    assert StripeEvent.objects.get().state == "quarantined"


def test_an_unknown_keel_account_id_is_shown_as_the_hint(client: Client, admin_user: User) -> None:
    post(client, event(subscription(customer="cus_H", metadata={"keel_account_id": "ACC-TYPO"})))
    assert StripeEvent.objects.get().reason == (
        "customer cus_H maps to no account (metadata.keel_account_id ACC-TYPO is no account's external id)"
    )
    client.force_login(admin_user)
    assert "keel_account_id: ACC-TYPO (no such account)" in client.get(PAGE).content.decode()


def test_a_later_event_that_names_the_account_applies_the_waiting_ones_first(
    client: Client, account: Account
) -> None:
    post(
        client, event(subscription(customer="cus_L", items=[item(10000)]), kind="created", created=at(START))
    )
    named = subscription(customer="cus_L", items=[item(30000)], metadata={"keel_account_id": "ACC-77"})
    assert post(client, event(named, created=at(date(2024, 3, 1)))).json()["state"] == "applied"
    assert [(s.starts_on, s.amount) for s in SubscriptionSpan.objects.order_by("starts_on")] == [
        (START, Decimal("100.0000")),
        (date(2024, 3, 1), Decimal("300.0000")),
    ]


def test_a_waiting_event_keel_cannot_price_is_ignored_when_mapped(
    client: Client, admin_user: User, account: Account
) -> None:
    post(client, event(subscription(customer="cus_W", items=[item(100, interval="week")])))
    client.force_login(admin_user)
    response = client.post(PAGE, {"customer_id": "cus_W", "account": "ACC-77"}, follow=True)
    assert (
        "cus_W is now Northwind Traders (ACC-77); 1 waiting event (1 ignored)." in response.content.decode()
    )
    waiting = StripeEvent.objects.get()
    assert waiting.state == "ignored"
    assert waiting.reason.endswith(
        "price.recurring.interval is 'week'; Keel's intervals are months and years"
    )
    assert not SubscriptionSpan.objects.exists()
