"""An admin on a tablet: the pages fit the screen, and a person is added and deactivated on the Team page."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from django.core import mail
from playwright.sync_api import expect

from accounts.models import User
from tests.factories import AccountFactory, SubscriptionSpanFactory

if TYPE_CHECKING:
    from playwright.sync_api import Page

TABLET = {"width": 768, "height": 1024}


def fits_the_screen(page: Page) -> bool:
    """No sideways scrolling of the page itself (wide tables scroll inside their card)."""
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_an_admin_on_a_tablet_adds_and_deactivates_a_person(
    page: Page,
    login: Callable[..., None],
    screenshot: Callable[..., Path],
    tmp_path: Path,
    admin_user: User,
    csm: User,
    vp: User,
) -> None:
    for n in range(8):
        account = AccountFactory(
            name=f"Tidewater Account {n}", csm=csm if n % 2 else None, segment="mid-market"
        )
        SubscriptionSpanFactory(account=account, amount="1499.00")
    page.set_viewport_size(TABLET)  # type: ignore[arg-type]
    login(page, admin_user)
    page.locator(".mainnav").get_by_role("link", name="Accounts").click()
    page.wait_for_url("**/accounts/")
    assert fits_the_screen(page)
    screenshot(page, "tablet-accounts.png", full_page=True)

    page.get_by_role("link", name="Team").click()
    page.get_by_label("Email", exact=True).fill("Nina@Keel.test")
    page.get_by_label("Name", exact=True).fill("Nina New")
    page.get_by_label("Role", exact=True).select_option("vp")
    page.get_by_role("button", name="Add").click()
    expect(page.get_by_text("Added Nina New; a link to set their password is on its way.")).to_be_visible()
    assert len(mail.outbox) == 1
    row = page.locator('tr[data-email="nina@keel.test"]')
    expect(row.get_by_text("Invited")).to_be_visible()
    assert fits_the_screen(page)
    screenshot(page, "tablet-team.png", full_page=True)

    row.get_by_role("button", name="Deactivate").click()
    expect(page.get_by_text("Nina New is deactivated and can no longer log in.")).to_be_visible()
    assert not User.objects.get(email="nina@keel.test").is_active

    # an admin's own row: demoting themselves is refused with a clear message
    own = page.locator(f'tr[data-email="{admin_user.email}"]')
    own.get_by_label(f"Role of {admin_user.name}").select_option("csm")
    own.get_by_role("button", name="Change").click()
    expect(page.get_by_text("You cannot remove your own admin role; ask another admin.")).to_be_visible()

    page.get_by_role("link", name="Data").click()
    expect(page.get_by_role("heading", name="Import a bundle")).to_be_visible()
    bad = tmp_path / "bad-bundle.zip"
    with zipfile.ZipFile(bad, "w") as archive:
        archive.writestr(
            "accounts.csv", "id,name,segment,csm_email\nACC-1,One,smb,nobody@keel.example\n,Two,smb,\n"
        )
    page.get_by_label("Bundle (.zip)").set_input_files(bad)
    page.get_by_role("button", name="Import").click()
    report = page.locator("#import-report")
    expect(report).to_contain_text("accounts.csv:2: csm_email:")
    expect(report).to_contain_text("accounts.csv:3: id:")
    assert fits_the_screen(page)
    screenshot(page, "tablet-data.png", full_page=True)

    page.get_by_role("link", name="← Data").click()  # the report is on the import's own page
    good = tmp_path / "good-bundle.zip"
    with zipfile.ZipFile(good, "w") as archive:
        archive.writestr("accounts.csv", f"id,name,segment,csm_email\nACC-1,One,smb,{csm.email}\n")
        # an annual contract written with an inclusive end date: imported, with a warning naming both rows
        archive.writestr(
            "subscriptions.csv",
            "subscription_id,account_id,amount,interval,starts_on,ends_on\n"
            "sub_1,ACC-1,1200,year,2024-01-01,2024-12-31\nsub_1,ACC-1,1300,year,2025-01-01,\n",
        )
    page.get_by_label("Bundle (.zip)").set_input_files(good)
    page.get_by_role("button", name="Import").click()
    expect(page.locator("#import-summary").get_by_text("1 created").first).to_be_visible()
    expect(page.locator("#import-warnings")).to_contain_text(
        "subscriptions.csv:2 and :3: ends_on: 2024-12-31"
    )
    screenshot(page, "tablet-data-imported.png", full_page=True)

    page.set_viewport_size({"width": 1280, "height": 800})
    page.get_by_role("link", name="Team").click()
    screenshot(page, "laptop-team.png", full_page=True)
