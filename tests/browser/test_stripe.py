"""An admin maps a quarantined Stripe customer on /data/stripe/ and its waiting events become the account's spans."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from django.test import Client
from playwright.sync_api import expect

from accounts.models import SubscriptionSpan, User
from tests.accounts.stripe_events import at, event, item, post, subscription
from tests.factories import AccountFactory

if TYPE_CHECKING:
    from playwright.sync_api import Page


def test_an_admin_maps_a_quarantined_customer(
    page: Page, login: Callable[..., None], screenshot: Callable[..., Path], admin_user: User
) -> None:
    account = AccountFactory.create(external_id="ACC-1042", name="Bluebird Logistics")
    AccountFactory.create(external_id="cus_Known", name="Known Customer")
    webhook = Client()
    post(webhook, event(subscription("sub_K", "cus_Known"), kind="created", created=at(date(2024, 5, 1))))
    post(
        webhook,
        event(subscription("sub_1", "cus_NkRf2x", items=[item(4900, 3)]), created=at(date(2024, 5, 2))),
    )
    post(
        webhook,
        event(subscription("sub_1", "cus_NkRf2x", items=[item(4900, 5)]), created=at(date(2024, 6, 2))),
    )
    hinted = subscription("sub_2", "cus_Pq81Zt", metadata={"keel_account_id": "ACC-10420"})
    post(webhook, event(hinted, kind="created", created=at(date(2024, 6, 3))))

    login(page, admin_user)
    page.goto("/data/stripe/")
    expect(page.get_by_role("heading", name="Stripe quarantine")).to_be_visible()
    rows = page.locator("#quarantine tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("cus_NkRf2x")
    expect(page.locator("#quarantine")).to_contain_text("keel_account_id: ACC-10420 (no such account)")
    screenshot(page, "stripe-quarantine.png", full_page=True)

    page.get_by_label("Account external id for cus_NkRf2x").fill("ACC-1042")
    rows.first.get_by_role("button", name="Map").click()
    expect(page.get_by_role("status")).to_contain_text(
        "cus_NkRf2x is now Bluebird Logistics (ACC-1042); 2 waiting events (2 applied)."
    )
    expect(page.locator("#quarantine tbody tr")).to_have_count(1)
    assert [(s.starts_on, s.amount) for s in SubscriptionSpan.objects.filter(account=account)] == [
        (date(2024, 1, 10), Decimal("147.0000")),
        (date(2024, 6, 2), Decimal("245.0000")),
    ]
