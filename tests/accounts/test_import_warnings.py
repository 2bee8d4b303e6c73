"""Warnings of an import (accounts/importers/warnings.py): a span that ends the day before the next span of its
subscription starts is imported as given, with a warning naming both rows; the run keeps the warnings, the
command prints them, the Data page and the run's page show them. A bundle without that pattern warns nothing."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.models import ImportRun, SubscriptionSpan, User
from tests.accounts.test_import_helpers import Importer, write_bundle

INCLUSIVE = {
    "subscriptions.csv": """\
        subscription_id,account_id,amount,interval,starts_on,ends_on,plan
        sub_1,ACC-1,1200,year,2024-01-01,2024-12-31,Pro
        sub_1,ACC-1,1300,year,2025-01-01,,Pro
        sub_2,ACC-1,100,month,2024-01-01,2024-06-01,Pro
        sub_2,ACC-1,120,month,2024-06-01,,Pro
        """
}
WARNING = (
    "subscriptions.csv:2 and :3: ends_on: 2024-12-31 is the day before the next span of sub_1 starts "
    "(2025-01-01), so Keel counts a churn on 2024-12-31 and a comeback the day after. If your end dates are "
    "inclusive, write the first day without the span: ends_on 2025-01-01"
)


def test_an_inclusive_end_date_is_imported_with_a_warning(import_after_full: Importer) -> None:
    """sub_1 ends 2024-12-31 and starts again 2025-01-01: warned. sub_2 ends 2024-06-01 where the next starts
    (exclusive end, as DATA.md writes it): nothing to say."""
    result = import_after_full(INCLUSIVE)
    assert result.ok, result.errors
    assert result.run.warnings == [WARNING]
    assert f"Warning: {WARNING}" in result.report_lines()
    assert SubscriptionSpan.objects.filter(subscription_id="sub_1").count() == 2  # imported as given


def test_a_dry_run_warns_too_and_a_clean_bundle_does_not(import_after_full: Importer) -> None:
    assert import_after_full(INCLUSIVE, dry_run=True).run.warnings == [WARNING]
    clean = import_after_full(
        {"subscriptions.csv": INCLUSIVE["subscriptions.csv"].replace("2024-12-31", "2025-01-01")}
    )
    assert clean.ok and clean.run.warnings == []


def test_a_rejected_bundle_keeps_no_warnings(import_after_full: Importer) -> None:
    bad = INCLUSIVE["subscriptions.csv"] + "        sub_3,ACC-404,1,month,2024-01-01,,x\n"
    result = import_after_full({"subscriptions.csv": bad})
    assert not result.ok
    assert result.run.warnings == []


def test_the_command_and_the_pages_show_the_warning(
    import_after_full: Importer, tmp_path: Path, client: Client, admin_user: User
) -> None:
    out = StringIO()
    call_command("import_bundle", str(write_bundle(tmp_path / "cli", INCLUSIVE)), stdout=out)
    assert f"Warning: {WARNING}" in out.getvalue()
    run = ImportRun.objects.latest("started_at")
    client.force_login(admin_user)
    data = client.get(reverse("data")).content.decode()
    assert "1 warning" in data
    page = client.get(reverse("import_run_detail", args=[run.pk])).content.decode()
    assert "1 warning: imported as given" in page
    assert "ends_on: 2024-12-31 is the day before the next span of sub_1 starts" in page
