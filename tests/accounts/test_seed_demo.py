"""`seed_demo`: a deterministic demo company, written as a CSV bundle and loaded through the importer."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise
from pathlib import Path

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone
from pytest_django.fixtures import Settings

from accounts.demo.bundle import HEADERS
from accounts.demo.services import DEMO_PASSWORD, demo_seed
from accounts.models import (
    Account,
    Contact,
    ImportRun,
    Role,
    Spend,
    SubscriptionSpan,
    SurveyResponse,
    Ticket,
    UsageEvent,
    User,
)
from accounts.months import add_months

END = date(2025, 6, 30)
ACCOUNTS = 30
USAGE_DAYS = 30
MONTHS = {"month": 1, "quarter": 3, "year": 12}


def _read(directory: Path, name: str) -> list[dict[str, str]]:
    with (directory / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _bundle(directory: Path, *, seed: int = 7, accounts: int = ACCOUNTS) -> Path:
    demo_seed(
        accounts=accounts, seed=seed, end=END, usage_days=USAGE_DAYS, bundle_dir=directory, bundle_only=True
    )
    return directory


def _seed(directory: Path, *extra: str) -> str:
    out = io.StringIO()
    call_command(
        "seed_demo",
        f"--accounts={ACCOUNTS}",
        "--seed=7",
        f"--end={END}",
        f"--usage-days={USAGE_DAYS}",
        f"--bundle-dir={directory}",
        *extra,
        stdout=out,
    )
    return out.getvalue()


def _month_ends(first: date, last: date) -> list[date]:
    ends = []
    month = first.replace(day=1)
    while (month_end := add_months(month, 1) - timedelta(days=1)) <= last:
        ends.append(month_end)
        month = add_months(month, 1)
    return ends


def test_same_arguments_give_the_same_bytes_and_another_seed_does_not(tmp_path: Path) -> None:
    first = _bundle(tmp_path / "first")
    again = _bundle(tmp_path / "again")
    other = _bundle(tmp_path / "other", seed=8)

    assert sorted(p.name for p in first.iterdir()) == sorted(HEADERS)
    for name in HEADERS:
        assert (first / name).read_bytes() == (again / name).read_bytes(), name
    assert (first / "accounts.csv").read_bytes() != (other / "accounts.csv").read_bytes()
    assert (first / "usage.csv").read_bytes() != (other / "usage.csv").read_bytes()


def test_the_bundle_has_the_format_of_data_md(tmp_path: Path) -> None:
    bundle = _bundle(tmp_path)
    for name, header in HEADERS.items():
        with (bundle / name).open(newline="", encoding="utf-8") as handle:
            assert tuple(next(csv.reader(handle))) == header

    assert {row["role"] for row in _read(bundle, "team.csv")} == {"csm", "vp", "admin"}
    assert all(row["email"].endswith("@keel.example") for row in _read(bundle, "team.csv"))
    accounts = _read(bundle, "accounts.csv")
    assert {row["segment"] for row in accounts} == {"smb", "mid-market", "enterprise", ""}
    assert any(row["csm_email"] == "" for row in accounts)
    spans = _read(bundle, "subscriptions.csv")
    assert {row["interval"] for row in spans} == {"month", "quarter", "year"}
    assert all(Decimal(row["amount"]) >= 0 and row["amount"].count(".") == 1 for row in spans)
    for row in _read(bundle, "tickets.csv"):
        assert row["created_at"].endswith("Z")
        date.fromisoformat(row["created_at"][:10])
    responses = _read(bundle, "responses.csv")
    assert {row["kind"] for row in responses} == {"nps", "csat", "ces"}
    assert any(row["contact_id"] == "" and row["account_id"] for row in responses)
    events = {row["event"] for row in _read(bundle, "usage.csv")}
    assert {"login", "view_dashboard", "create_report", "invite_user", "api_call"} <= events
    assert [row["month"] for row in _read(bundle, "spend.csv")][-1] == "2025-06"


def test_history_covers_the_36_months_ending_on_end(tmp_path: Path) -> None:
    """Nothing happens after --end; spans start from 2022-07-01; usage only in the last --usage-days days."""
    bundle = _bundle(tmp_path)
    start = date(2022, 7, 1)
    spans = _read(bundle, "subscriptions.csv")
    assert min(date.fromisoformat(row["starts_on"]) for row in spans) >= start
    assert max(date.fromisoformat(row["starts_on"]) for row in spans) <= END
    assert all(row["ends_on"] == "" or date.fromisoformat(row["ends_on"]) <= END for row in spans)
    assert any(row["ends_on"] == "" for row in spans)

    usage_days = {row["occurred_at"][:10] for row in _read(bundle, "usage.csv")}
    assert max(usage_days) == END.isoformat()
    assert min(usage_days) == (END - timedelta(days=USAGE_DAYS - 1)).isoformat()

    last_moment = f"{END + timedelta(days=1)}T00:00:00Z"
    for row in _read(bundle, "tickets.csv"):
        for column in ("created_at", "first_response_at", "resolved_at"):
            assert row[column] < last_moment
    assert all(row["responded_at"] < last_moment for row in _read(bundle, "responses.csv"))
    assert all(row["created_on"] <= END.isoformat() for row in _read(bundle, "accounts.csv"))


def test_usage_times_carry_the_offset_of_keel_timezone(tmp_path: Path, settings: Settings) -> None:
    settings.KEEL_TIMEZONE = "Asia/Kolkata"
    bundle = _bundle(tmp_path, accounts=10)
    times = [row["occurred_at"] for row in _read(bundle, "usage.csv")]
    assert times
    assert all(time.endswith("+05:30") for time in times)
    assert max(time[:10] for time in times) == END.isoformat()


@pytest.mark.django_db
def test_seed_demo_imports_the_bundle_and_the_logins_work(tmp_path: Path) -> None:
    out = _seed(tmp_path)
    bundle = tmp_path

    assert Account.objects.count() == ACCOUNTS
    assert Contact.objects.count() == len(_read(bundle, "contacts.csv"))
    assert SubscriptionSpan.objects.count() == len(_read(bundle, "subscriptions.csv"))
    assert Ticket.objects.count() == len(_read(bundle, "tickets.csv"))
    assert UsageEvent.objects.count() == len(_read(bundle, "usage.csv"))
    assert SurveyResponse.objects.count() == len(_read(bundle, "responses.csv"))
    assert Spend.objects.count() == 36
    assert ImportRun.objects.get().source == ImportRun.Source.DEMO

    team = _read(bundle, "team.csv")
    assert User.objects.filter(role=Role.CSM).count() == 4  # ACCOUNTS / 70 rounds below the minimum
    for role in (Role.ADMIN, Role.VP, Role.CSM):
        email = next(row["email"] for row in team if row["role"] == role)
        assert f"{role:<6} {email}" in out
        user = authenticate(email=email, password=DEMO_PASSWORD)
        assert user is not None
        assert user.role == role
    assert all(User.objects.get(email=row["email"]).has_usable_password() for row in team)
    assert authenticate(email=team[0]["email"], password="wrong") is None


@pytest.mark.django_db
def test_the_imported_spans_never_overlap_and_show_every_movement(tmp_path: Path) -> None:
    """Churn, reactivation, expansion, contraction, add-ons and a subscription inside one month all occur."""
    _seed(tmp_path)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*) FROM accounts_subscriptionspan a JOIN accounts_subscriptionspan b
              ON a.subscription_id = b.subscription_id AND a.id < b.id
             AND daterange(a.starts_on, a.ends_on) && daterange(b.starts_on, b.ends_on)
            """
        )
        assert cursor.fetchone() == (0,)
    spans = list(SubscriptionSpan.objects.select_related("account").order_by("subscription_id", "starts_on"))

    def mrr(span: SubscriptionSpan) -> Decimal:
        return span.amount / MONTHS[span.interval]

    changes = [
        mrr(after) - mrr(before)
        for before, after in pairwise(spans)
        if before.subscription_id == after.subscription_id and mrr(before) and mrr(after)
    ]
    assert any(change > 0 for change in changes), "no expansion"
    assert any(change < 0 for change in changes), "no contraction"

    paying: dict[str, str] = defaultdict(str)
    for day in _month_ends(date(2022, 7, 1), END):
        on_day: dict[str, Decimal] = defaultdict(Decimal)
        for span in spans:
            if span.starts_on <= day and (span.ends_on is None or day < span.ends_on):
                on_day[span.account.external_id] += mrr(span)
        for account in {span.account.external_id for span in spans}:
            paying[account] += "1" if on_day[account] > 0 else "0"
    patterns = [months.lstrip("0") for months in paying.values()]
    assert any("10" in pattern for pattern in patterns), "no churn"
    assert any("01" in pattern for pattern in patterns), "no reactivation"

    assert any(
        span.ends_on
        and (span.starts_on.year, span.starts_on.month) == (span.ends_on.year, span.ends_on.month)
        for span in spans
    ), "no subscription that starts and ends inside a month"
    assert any(
        a.account_id == b.account_id
        and a.subscription_id != b.subscription_id
        and a.starts_on < (b.ends_on or date.max)
        and b.starts_on < (a.ends_on or date.max)
        for a in spans
        for b in spans
    ), "no add-on beside a main subscription"


@pytest.mark.django_db
def test_refuses_a_database_with_accounts_unless_forced(tmp_path: Path) -> None:
    Account.objects.create(external_id="ACME", name="Acme")
    with pytest.raises(CommandError, match=r"already has 1 account; .*--force"):
        _seed(tmp_path)
    assert Account.objects.count() == 1
    assert not User.objects.exists()

    _seed(tmp_path, "--force")
    assert Account.objects.count() == ACCOUNTS + 1


def test_bundle_only_needs_a_folder() -> None:
    with pytest.raises(CommandError, match="--bundle-dir"):
        call_command("seed_demo", "--bundle-only")


def test_history_ends_yesterday_by_default(tmp_path: Path) -> None:
    out = io.StringIO()
    call_command(
        "seed_demo", "--accounts=3", "--usage-days=2", "--bundle-only", f"--bundle-dir={tmp_path}", stdout=out
    )
    yesterday = timezone.localdate() - timedelta(days=1)
    assert f"… {yesterday} " in out.getvalue()
    assert max(row["occurred_at"][:10] for row in _read(tmp_path, "usage.csv")) <= yesterday.isoformat()
