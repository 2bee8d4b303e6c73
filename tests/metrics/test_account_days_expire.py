"""Daily snapshot rows past the retention window go; month-ends stay forever (METRICS.md, KEEL_DAILY_RETENTION_DAYS).
account_days_expire finds the stored days before the cutoff one probe at a time, so the days here are sparse on
purpose: gaps, month-ends, and days on both sides of the cutoff."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from accounts.models import Account
from metrics.models import AccountDay
from metrics.services.daily import account_days_expire


def test_days_past_the_window_go_and_month_ends_stay(
    own_account: Account, other_account: Account, stored_day: Callable[..., AccountDay]
) -> None:
    days = [
        date(2023, 1, 31),  # month-end, long ago
        date(2023, 2, 14),
        date(2023, 2, 28),  # month-end (not a leap year)
        date(2023, 3, 1),
        date(2024, 2, 28),  # not a month-end in a leap year
        date(2024, 2, 29),  # month-end
        date(2024, 6, 4),  # the day before the cutoff
        date(2024, 6, 5),  # the cutoff itself: kept
        date(2024, 6, 30),
    ]
    for day in days:
        stored_day(own_account, day)
        stored_day(other_account, day)

    # today 2025-07-10 − 400 days = 2024-06-05
    gone = account_days_expire(today=date(2025, 7, 10), retention_days=400)

    kept = sorted(set(AccountDay.objects.values_list("day", flat=True)))
    assert kept == [
        date(2023, 1, 31),
        date(2023, 2, 28),
        date(2024, 2, 29),
        date(2024, 6, 5),
        date(2024, 6, 30),
    ]
    assert gone == 2 * 4
    assert account_days_expire(today=date(2025, 7, 10), retention_days=400) == 0  # twice: the same
