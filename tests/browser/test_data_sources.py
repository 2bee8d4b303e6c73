"""An admin opens the Data sources page from the Data page: each source's days are drawn, a source gone quiet is
flagged, the latest refusal says why. Screenshot: data-sources.png."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import DataSource, User
from accounts.services import source_accepted, source_rejected

if TYPE_CHECKING:
    from playwright.sync_api import Page


def test_an_admin_reads_what_each_source_delivered(
    page: Page,
    login: Callable[..., None],
    screenshot: Callable[..., Path],
    inked: Callable[[Page, str], int],
    admin_user: User,
) -> None:
    now = timezone.now()
    for n in range(29, -1, -1):  # the API every day, the bundle every week, Segment until 6 days ago
        source_accepted(DataSource.API, 40 + (n * 7) % 25, at=now - timedelta(days=n))
        if n % 7 == 0:
            source_accepted(DataSource.BUNDLE, 1200, at=now - timedelta(days=n))
        if n >= 6:
            source_accepted(DataSource.SEGMENT, 5000 + n * 130, at=now - timedelta(days=n))
    source_rejected(
        DataSource.API,
        "accounts[3].csm_email: no Keel user has this email.",
        detail={"path": "/api/v1/accounts/"},
    )
    source_rejected(DataSource.STRIPE, "The signature does not match.", detail={"event": "evt_1Q2"})
    login(page, admin_user)
    page.goto("/data/")
    page.get_by_role("link", name="Sources").click()
    page.wait_for_url("**/data/sources/")
    expect(page.locator("#source-segment")).to_contain_text("Quiet for 6 days")
    expect(page.locator("#source-api")).not_to_contain_text("Quiet")
    expect(page.locator("#refusals")).to_contain_text("The signature does not match.")
    page.wait_for_load_state("load")
    for source in ("api", "bundle", "segment"):
        assert inked(page, f"chart-{source}") > 50, source
    screenshot(page, "data-sources.png", full_page=True)
