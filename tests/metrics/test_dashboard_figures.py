"""METRICS.md "Dashboard figures" that the pipeline stores: average health and the health distribution per
month, and every account as of the latest computed day with its health change (for the account list)."""

from __future__ import annotations

from datetime import date

import pytest

from metrics.models import AccountCurrent, AccountDay
from tests.scenarios import Facts


@pytest.fixture
def three(facts: Facts) -> Facts:
    """Three paying accounts with different usage, one trial account that only uses the product, one that never
    paid and never used it."""
    busy, idle, gone = facts.account("Busy", seats=2), facts.account("Idle", seats=2), facts.account("Gone")
    for account in (busy, idle, gone):
        facts.span(account, "1200.00", "year", "2024-01-01", "2024-06-20" if account is gone else None)
    for day in range(1, 31):
        facts.event(busy, "u1", f"2024-06-{day:02d}T09:00:00Z")
        facts.event(busy, "u2", f"2024-06-{day:02d}T10:00:00Z")
    facts.event(facts.account("Trial"), "t1", "2024-06-29T09:00:00Z")
    facts.account("Nothing")
    facts.compute("2024-05-01", "2024-06-30", today="2024-07-01")
    return facts


def test_average_health_and_distribution_of_the_month(three: Facts) -> None:
    """June's figures are those of the scored accounts on June 30: Busy and Idle (Gone stopped paying on
    June 20, Trial never paid). Average = mean of their two stored scores; one count per status."""
    june = three.month("2024-06")
    scored = AccountDay.objects.filter(day=date(2024, 6, 30), score__isnull=False)
    assert {row.account.name for row in scored} == {"Busy", "Idle"}
    assert june["average_health"] == pytest.approx(sum(row.score or 0 for row in scored) / 2)
    statuses = [row.status for row in scored]
    assert (june["health_green"], june["health_yellow"], june["health_red"]) == (
        statuses.count("green"),
        statuses.count("yellow"),
        statuses.count("red"),
    )
    assert june["health_green"] >= 1  # Busy: active every day, both seats used


def test_every_account_has_its_current_row(three: Facts) -> None:
    """As of 2024-06-30 (the latest computed day): all five accounts, zeros for those without a snapshot row;
    health change = score on June 30 − score on May 31 for the accounts scored both days."""
    current = {row.account.name: row for row in AccountCurrent.objects.select_related("account")}
    assert set(current) == {"Busy", "Idle", "Gone", "Trial", "Nothing"}
    assert {row.day for row in current.values()} == {date(2024, 6, 30)}
    assert (current["Nothing"].arr, current["Nothing"].score, current["Nothing"].status) == (0, None, "")
    assert (current["Trial"].arr, current["Trial"].mau, current["Trial"].score) == (0, 1, None)
    assert current["Gone"].score is None
    busy_now = AccountDay.objects.get(account=current["Busy"].account, day=date(2024, 6, 30)).score
    busy_then = AccountDay.objects.get(account=current["Busy"].account, day=date(2024, 5, 31)).score
    assert busy_now is not None and busy_then is not None
    assert current["Busy"].score_change_30d == pytest.approx(busy_now - busy_then)
    assert current["Busy"].arr == 1200
