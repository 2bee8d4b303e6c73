"""Splitting the daily snapshots into chunks of accounts and of days (so that workers share a backfill) gives
exactly the rows that one pass gives."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from metrics.models import AccountDay
from metrics.services import daily
from metrics.services.daily import account_days_compute, day_ranges
from tests.metrics.conftest import Facts


def rows() -> list[dict[str, Any]]:
    return [dict(row) for row in AccountDay.objects.order_by("day", "account_id").values()]


@pytest.fixture
def busy(facts: Facts) -> Facts:
    """Nine accounts with spans, tickets, NPS answers and usage scattered over the first half of 2024."""
    for n in range(9):
        account = facts.account(f"K{n}", seats=n or None)
        facts.span(
            account,
            f"{100 + 10 * n}.00",
            "month",
            f"2024-01-{n + 1:02d}",
            "2024-05-20" if n % 3 == 0 else None,
        )
        for k in range(n):
            facts.event(account, f"u{k % 3}", f"2024-0{1 + k % 5}-{3 + 2 * k:02d}T12:00:00Z", "login")
            facts.ticket(
                account, f"2024-0{1 + k % 5}-{10 + k:02d}T08:00:00Z", priority="urgent" if k % 2 else "low"
            )
        facts.response(account, "nps", n, "2024-02-15T10:00:00Z")
        facts.response(account, "nps", 10 - n, "2024-04-01T10:00:00Z", contact=facts.contact(account))
    return facts


def test_account_chunks_and_day_chunks_give_the_same_rows(
    busy: Facts, monkeypatch: pytest.MonkeyPatch
) -> None:
    days = [date(2024, 3, 1) + timedelta(days=n) for n in range(90)]
    busy.compute("2024-01-01", "2024-06-30", today="2024-07-01")
    whole = rows()
    assert len(whole) > 500

    monkeypatch.setattr(daily, "SERIES_ROWS_PER_CHUNK", 200)  # two or three accounts per chunk
    AccountDay.objects.all().delete()
    account_days_compute(days=days[:45])
    account_days_compute(days=days[45:])
    split = rows()
    assert split == [row for row in whole if row["day"] in set(days)]


def test_days_far_apart_are_computed_in_separate_ranges() -> None:
    """Month-ends beyond the retention window are two months apart: each range looks back 30 days (drop rule)."""
    ranges = day_ranges(
        [date(2024, 1, 31), date(2024, 2, 29), date(2024, 6, 30), date(2024, 7, 1)], lookback_days=30
    )
    assert [(r.lo, r.hi, len(r.kept)) for r in ranges] == [
        (date(2024, 1, 1), date(2024, 2, 29), 2),
        (date(2024, 5, 31), date(2024, 7, 1), 2),
    ]
