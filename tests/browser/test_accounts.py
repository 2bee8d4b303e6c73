"""A CSM logs in, sees only their own accounts, searches, and opens one. Screenshots: test-artifacts/ (docs/ with `make screenshots`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from playwright.sync_api import expect

from accounts.models import User
from tests.factories import AccountFactory, ContactFactory, SubscriptionSpanFactory

if TYPE_CHECKING:
    from playwright.sync_api import Page

BOOK = [  # name, external id, segment, interval, amount per interval
    ("Aurora Analytics", "CRM-10231", "enterprise", "year", "54000.00"),
    ("Beacon Health", "CRM-10244", "mid-market", "month", "1890.00"),
    ("Cedar & Stone", "CRM-10302", "smb", "month", "249.00"),
    ("Driftwood Labs", "CRM-10318", "smb", "quarter", "897.00"),
    ("Evergreen Logistics", "CRM-10355", "mid-market", "year", "18600.00"),
    ("Fathom Robotics", "CRM-10377", "enterprise", "year", "96000.00"),
    ("Granite Payroll", "CRM-10391", "smb", "month", "129.00"),
    ("Harborview Clinics", "CRM-10402", "mid-market", "month", "2150.00"),
    ("Ironbark Studios", "CRM-10417", "smb", "month", "79.00"),
    ("Juniper Foods", "CRM-10433", "mid-market", "quarter", "4200.00"),
    ("Kestrel Outdoor", "CRM-10450", "smb", "year", "2988.00"),
    ("Lighthouse Legal", "CRM-10468", "enterprise", "year", "72000.00"),
]


def test_a_csm_sees_searches_and_opens_their_accounts(
    page: Page, login: Callable[..., None], screenshot: Callable[..., Path], csm: User, other_csm: User
) -> None:
    for name, external_id, segment, interval, amount in BOOK:
        account = AccountFactory(
            name=name,
            external_id=external_id,
            segment=segment,
            csm=csm,
            created_on=date(2023, 5, 2),
            seats=25,
        )
        SubscriptionSpanFactory(account=account, interval=interval, amount=amount, starts_on=date(2024, 1, 1))
        ContactFactory(
            account=account, name=f"Jordan {name.split()[0]}", email=f"jordan@{external_id.lower()}.example"
        )
    AccountFactory(name="Zephyr Secret Corp", external_id="CRM-99999", csm=other_csm)

    page.goto("/accounts/")
    assert "/login/" in page.url  # not logged in yet
    screenshot(page, "login.png")

    login(page, csm)
    page.locator(".mainnav").get_by_role("link", name="Accounts").click()
    page.wait_for_url("**/accounts/")
    table = page.locator("#accounts")
    expect(table.locator("tbody tr")).to_have_count(len(BOOK))
    assert "Zephyr Secret Corp" not in page.content()

    page.get_by_label("Search").fill("harbor")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/accounts/?q=harbor*")
    expect(table.locator("tbody tr")).to_have_count(1)
    page.get_by_role("link", name="Harborview Clinics").click()

    page.wait_for_url("**/accounts/*/")
    expect(page.get_by_role("heading", name="Harborview Clinics")).to_be_visible()
    expect(page.locator("#mrr-today")).to_have_text("$2,150.00")
    expect(page.locator("#contacts").get_by_text("Jordan Harborview")).to_be_visible()
