"""An admin erases an account from its 360 after typing its name (a wrong name erases nothing), follows the
recompute, and finds the erasure, with its counts and no personal data, on the Audit log page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from io import StringIO
from pathlib import Path
from typing import TYPE_CHECKING

from django.core.management import call_command
from playwright.sync_api import expect

from accounts.models import Account, AuditEntry, User
from tests.factories import AccountFactory, ContactFactory, SubscriptionSpanFactory

if TYPE_CHECKING:
    from playwright.sync_api import Page


def test_an_admin_erases_an_account_and_reads_it_in_the_audit_log(
    page: Page, login: Callable[..., None], screenshot: Callable[..., Path], admin_user: User
) -> None:
    account = AccountFactory.create(name='Zephyr, "Quoted" & Co', external_id="ZEP-1")
    SubscriptionSpanFactory.create(account=account, amount="300.00", starts_on=date(2025, 1, 1))
    ContactFactory.create(account=account, email="private.person@zephyr.example", name="Private Person")
    kept = AccountFactory.create(name="Kept Ltd", external_id="KEEP-1")
    call_command("snapshot", "--from", "2025-06-01", "--to", "2025-06-02", stdout=StringIO())
    login(page, admin_user)
    page.goto(f"/accounts/{account.pk}/")
    page.get_by_role("link", name="Erase this account…").click()
    expect(page.get_by_role("heading", name="Erase Zephyr")).to_be_visible()
    page.get_by_label("to confirm").fill("Zephyr")
    page.get_by_role("button", name="Erase for good").click()
    expect(page.get_by_text("Type the account's name or external id exactly")).to_be_visible()
    assert Account.objects.filter(pk=account.pk).exists()
    screenshot(page, "erase-account.png", full_page=True)

    page.get_by_label("to confirm").fill('Zephyr, "Quoted" & Co')
    page.get_by_role("button", name="Erase for good").click()
    expect(page.get_by_text("Erased account ZEP-1")).to_be_visible()
    assert not Account.objects.filter(pk=account.pk).exists() and Account.objects.filter(pk=kept.pk).exists()

    page.goto("/team/")
    page.get_by_role("link", name="Audit log").click()
    row = page.locator(f'tr[data-entry="{AuditEntry.objects.get(action="account.erase").pk}"]')
    expect(row.get_by_text("account.erase")).to_be_visible()
    expect(row.get_by_text("ZEP-1").first).to_be_visible()
    page.get_by_label("Action").select_option("account.erase")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("1 entry")).to_be_visible()
    assert "private.person" not in page.content() and "Private Person" not in page.content()
    screenshot(page, "audit-log.png", full_page=True)
