"""Arguments of the management commands, parsed as the rest of Keel parses them (accounts.months)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.core.management.base import CommandError

from accounts.months import day_from_text, month_from_text


def _command_argument(parse: Callable[[str], date]) -> Callable[[str], date]:
    """`parse` for a command's option, refusing a value with a CommandError that names it."""

    def argument(value: str) -> date:
        try:
            return parse(value)
        except ValueError as error:
            raise CommandError(f"{value!r} {error}.") from None

    return argument


# YYYY-MM as the month's first day; YYYY-MM-DD.
month_argument = _command_argument(month_from_text)
day_argument = _command_argument(day_from_text)
