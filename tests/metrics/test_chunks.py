"""Splitting the daily snapshots into chunks of accounts and of days (so that workers share a backfill) gives
exactly the rows that one pass gives."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from metrics.models import AccountDay
from metrics.services import daily
from metrics.services.daily import day_ranges
from metrics.services.pipeline import snapshot_compute
from tests.scenarios import Facts


def compute(days: list[date]) -> None:
    """The pipeline's plan for the run of days `days` (consecutive)."""
    snapshot_compute(start=days[0], end=days[-1], today=date(2024, 7, 1))


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
    compute(days[:45])
    compute(days[45:])
    split = rows()
    assert split == [row for row in whole if row["day"] in set(days)]


@pytest.mark.parametrize("days", [90, 3])
def test_dense_series_and_day_by_day_give_the_same_rows(
    busy: Facts, monkeypatch: pytest.MonkeyPatch, days: int
) -> None:
    """Both ways of computing a day (daily_series.sql and daily_points.sql, with their health inputs) agree on
    every field of every row, for a long run of days and for a few."""
    kept = [date(2024, 3, 1) + timedelta(days=n) for n in range(days)]
    monkeypatch.setattr(daily, "DENSE_MIN_DAYS", 1)
    compute(kept)
    dense = rows()
    AccountDay.objects.all().delete()
    monkeypatch.setattr(daily, "DENSE_MIN_DAYS", 10_000)
    compute(kept)
    assert rows() == dense
    assert any(row["score"] is not None for row in dense)
    assert any(row["sentiment"] is not None for row in dense)
    assert any(row["support"] is not None and row["support"] < 100 for row in dense)


def test_long_runs_are_dense_and_scattered_days_go_together() -> None:
    """A run of 8 days or more is one dense range from 30 days before it (the drop rule); shorter runs and
    single days (the nightly day, month-ends beyond the retention window) form one sparse range."""
    month_ends = [date(2024, 1, 31), date(2024, 2, 29)]
    run = [date(2024, 6, 1) + timedelta(days=n) for n in range(10)]
    dense, sparse = day_ranges([*month_ends, *run, date(2024, 7, 1)], lookback_days=30)
    assert (dense.lo, dense.hi, dense.dense, len(dense.kept)) == (
        date(2024, 5, 2),
        date(2024, 6, 10),
        True,
        10,
    )
    assert (sparse.dense, sparse.kept) == (False, (*month_ends, date(2024, 7, 1)))
    assert sparse.computed_days(30) == 6  # each kept day and the day 30 days before it
