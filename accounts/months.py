"""Calendar months and days as METRICS.md counts them: a month's value is its value on its last day, and adding
months clamps to the target month's last day (Jan 31 + 1 month = Feb 28). Every app uses these; none has its
own."""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from datetime import date, timedelta

_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")


def month_end(day: date) -> date:
    """The last day of `day`'s month."""
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def is_month_end(day: date) -> bool:
    return (day + timedelta(days=1)).day == 1


def previous_month(month: date) -> date:
    """The first day of the month before `month`'s."""
    return (month.replace(day=1) - timedelta(days=1)).replace(day=1)


def add_months(day: date, months: int) -> date:
    """`day` plus whole calendar months (or minus, when negative); a day past the target month's end clamps to
    its last day (Jan 31 + 1 quarter = Apr 30)."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def months_in(start: date, end: date) -> list[date]:
    """The first days of the months from `start`'s to `end`'s, both included."""
    months, month = [], start.replace(day=1)
    while month <= end:
        months.append(month)
        month = add_months(month, 1)
    return months


def days_between(start: date, end: date) -> Iterator[date]:
    """Every day from `start` to `end`, both included."""
    day = start
    while day <= end:
        yield day
        day += timedelta(days=1)


def month_from_text(text: str) -> date:
    """`YYYY-MM` → the month's first day; ValueError whose message says why not ("is not a month (YYYY-MM)",
    "is not a month that exists"), for the caller to put after the value."""
    match = _MONTH.fullmatch(text)
    if not match:
        raise ValueError("is not a month (YYYY-MM)")
    year, month = int(match[1]), int(match[2])
    if not 1 <= month <= 12 or year < 1:
        raise ValueError("is not a month that exists")
    return date(year, month, 1)


def day_from_text(text: str) -> date:
    """`YYYY-MM-DD` → the day; ValueError whose message says why not."""
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        raise ValueError("is not a date (YYYY-MM-DD)")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError("is not a day that exists") from None
