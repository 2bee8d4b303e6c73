"""Arguments of the management commands, parsed as the rest of Keel parses them (accounts.months)."""

from __future__ import annotations

from datetime import date

from django.core.management.base import CommandError

from accounts.months import day_from_text, month_from_text


def month_argument(value: str) -> date:
    """YYYY-MM as the month's first day, or a CommandError naming the value."""
    try:
        return month_from_text(value)
    except ValueError as error:
        raise CommandError(f"{value!r} {error}.") from None


def day_argument(value: str) -> date:
    """YYYY-MM-DD, or a CommandError naming the value."""
    try:
        return day_from_text(value)
    except ValueError as error:
        raise CommandError(f"{value!r} {error}.") from None
