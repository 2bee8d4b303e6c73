"""`export_bundle DIR` writes the whole book of business in DATA.md's format: export → import into an empty
database gives the same facts, KPIs and health, field by field (the golden case and a seed_demo company), and a
second export of the imported book is byte for byte the first; text comes back exactly."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from accounts.exporters import BUNDLE_QUERIES
from accounts.models import Account, Contact, Spend, SubscriptionSpan, SurveyResponse, Ticket, UsageEvent
from tests.bundles import empty_database, numbers, quiet
from tests.factories import AccountFactory, ContactFactory, UserFactory
from tests.metrics.test_golden import GOLDEN

pytestmark = pytest.mark.django_db


def files(directory: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(directory.glob("*.csv"))}


def round_trip(
    tmp_path: Path,
    *,
    snapshot: tuple[str, str],
    months: tuple[str, str],
    days: tuple[str, ...],
    backtest: tuple[str, str] | None = None,
) -> None:
    """Compute and read the numbers, export, empty the database, import the export, compute and read again:
    the same numbers; exporting again writes the same bytes."""
    quiet("snapshot", "--from", snapshot[0], "--to", snapshot[1])
    before = numbers(months=months, days=days, backtest=backtest)
    call_command("export_bundle", str(tmp_path / "first"), stdout=(out := _Out()))
    assert "Exported" in out.text
    empty_database()
    assert not Account.objects.exists()
    quiet("import_bundle", str(tmp_path / "first"))
    quiet("snapshot", "--from", snapshot[0], "--to", snapshot[1])
    after = numbers(months=months, days=days, backtest=backtest)
    assert after == before
    quiet("export_bundle", str(tmp_path / "second"))
    assert files(tmp_path / "second") == files(tmp_path / "first")


class _Out:
    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> None:
        self.text += text

    def flush(self) -> None:
        pass


def test_the_golden_bundle_round_trips_with_identical_kpis_and_health(tmp_path: Path) -> None:
    quiet("import_bundle", str(GOLDEN / "bundle"))
    round_trip(
        tmp_path,
        snapshot=("2023-07-01", "2025-06-30"),
        months=("2023-07", "2025-06"),
        days=("2024-06-30", "2024-12-31", "2025-04-30", "2025-06-30"),
        backtest=("2024-07", "2025-03"),
    )
    golden_rows = {
        path.name: sum(1 for _ in csv.DictReader(path.open())) for path in (GOLDEN / "bundle").glob("*.csv")
    }
    exported = {
        name: sum(1 for _ in csv.DictReader((tmp_path / "first" / name).open())) for name in BUNDLE_QUERIES
    }
    for name in (
        "accounts.csv",
        "contacts.csv",
        "subscriptions.csv",
        "tickets.csv",
        "spend.csv",
        "responses.csv",
    ):
        assert exported[name] == golden_rows[name], name
    assert exported["team.csv"] == golden_rows["team.csv"]
    assert 0 < exported["usage.csv"] <= golden_rows["usage.csv"]  # rows with one event key are one event


def test_a_seed_demo_company_round_trips_with_identical_kpis_and_health(tmp_path: Path) -> None:
    """300 accounts, three years ending 2025-06-30 (its usage the last 120 days), computed over its last year."""
    quiet("seed_demo", "--accounts", "300", "--end", "2025-06-30", "--usage-days", "120")
    assert Account.objects.count() == 300
    round_trip(
        tmp_path,
        snapshot=("2024-07-01", "2025-06-30"),
        months=("2024-07", "2025-06"),
        days=("2024-12-31", "2025-03-31", "2025-06-30"),
    )


TEXTS = [
    'Acme, "the" Inc.',
    "two\nlines\r\nand a CR\rend",
    "Zoë Ångström — 東京 🚀",
    "=SUM(A1:A2) +1 -2 @x",
    "inner  double   spaces",  # the importer trims a value's ends, as every source of Keel does
    "back\\slash, tab\there; semi;colon",
]


def test_text_survives_the_round_trip_exactly(tmp_path: Path) -> None:
    """Every kind of text a bundle carries comes back as it was: commas, quotes, newlines, Unicode, formulas
    (a bundle is data for Keel, not a sheet: nothing is neutralised), spaces inside a value."""
    csm = UserFactory.create(email="csm@keel.test", name=TEXTS[2], role="csm")
    for n, text in enumerate(TEXTS):
        account = AccountFactory.create(external_id=f"A-{n}", name=text, segment=text, csm=csm, seats=n)
        contact = ContactFactory.create(account=account, external_id=f"C-{n}", name=text, title=text)
        SubscriptionSpan.objects.create(
            subscription_id=f"sub-{n}",
            account=account,
            plan=text,
            interval="month",
            amount=Decimal("12.3456"),
            currency="USD",
            starts_on=date(2025, 1, 1),
            ends_on=date(2025, 3, 1) if n % 2 else None,
            renews_on=date(2025, 12, 1) if n % 2 else None,
            term="year" if n % 2 else "",
        )
        Ticket.objects.create(
            external_id=f"T-{n}",
            account=account,
            subject=text,
            status="open",
            created_at=datetime(2025, 2, 3, 4, 5, 6, 789012, tzinfo=UTC),
            replies=n,
        )
        SurveyResponse.objects.create(
            external_id=f"R-{n}",
            kind="nps",
            score=n,
            responded_at=datetime(2025, 2, 3, 4, 5, 6, tzinfo=UTC),
            contact=contact if n % 2 else None,
            account=account,
            comment=text,
        )
        UsageEvent.objects.create(
            account=account,
            user_id=text,
            event=text,
            occurred_at=datetime(2025, 2, 3, 4, 5, n, tzinfo=UTC),
            count=n + 1,
        )
    Spend.objects.create(month=date(2025, 1, 1), amount=Decimal("1000.5"))

    def facts() -> dict[str, list[tuple[Any, ...]]]:
        return {
            name: sorted(model.objects.values_list(*columns))
            for name, model, columns in (
                ("accounts", Account, ("external_id", "name", "segment", "csm__email", "seats")),
                ("contacts", Contact, ("external_id", "account__external_id", "email", "name", "title")),
                (
                    "spans",
                    SubscriptionSpan,
                    ("subscription_id", "plan", "amount", "starts_on", "ends_on", "renews_on", "term"),
                ),
                (
                    "tickets",
                    Ticket,
                    ("external_id", "subject", "created_at", "replies", "status", "priority"),
                ),
                ("responses", SurveyResponse, ("external_id", "comment", "contact__external_id", "score")),
                ("usage", UsageEvent, ("account__external_id", "user_id", "event", "occurred_at", "count")),
                ("spend", Spend, ("month", "amount")),
            )
        }

    before = facts()
    quiet("export_bundle", str(tmp_path / "bundle"))
    empty_database()
    report = quiet("import_bundle", str(tmp_path / "bundle"))
    after = facts()
    for name, rows in before.items():
        assert after[name] == rows, (name, report)
    assert after["accounts"][1][1] == TEXTS[1]
