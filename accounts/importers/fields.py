"""Parsers for one value of a CSV bundle or an API payload (DATA.md "Rules every importer follows").

Each takes the text of a non-blank value (already stripped) and returns a Python value, or raises `FieldError`
whose message is the reason shown to the person who sent it (`file:line: column: reason` in a bundle report).
They are plain functions so that the REST API validates exactly as the importer does.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

from django.conf import settings

from accounts.months import day_from_text, month_from_text

# A TextField has no limit of its own; a value this long is a mistake.
MAX_TEXT = 100_000
# PositiveIntegerField and IntegerField hold 32-bit signed integers.
MAX_INTEGER = 2_147_483_647
# DecimalField(max_digits=18, decimal_places=4): money is stored exactly, so more decimals are refused.
MONEY_DECIMAL_PLACES = 4
MONEY_LIMIT = Decimal(10) ** (18 - MONEY_DECIMAL_PLACES)
MONEY_STEP = Decimal(1).scaleb(-MONEY_DECIMAL_PLACES)

_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


class FieldError(ValueError):
    """A value that cannot be accepted; `str(error)` says why."""


def shown(text: str, limit: int = 40) -> str:
    """The value quoted for a message, cut short when long."""
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def parse_text(text: str, *, max_length: int | None = MAX_TEXT) -> str:
    if max_length is not None and len(text) > max_length:
        raise FieldError(f"longer than {max_length} characters")
    if "\x00" in text:
        raise FieldError("contains a NUL character")
    return text


def parse_email(text: str, *, max_length: int = 254) -> str:
    """An email address as written (compare with `.lower()`: emails compare case-insensitively)."""
    if "@" not in text:
        raise FieldError(f"{shown(text)} is not an email address (no @)")
    return parse_text(text, max_length=max_length)


def parse_choice(text: str, *, choices: Iterable[str]) -> str:
    options = tuple(choices)
    if text not in options:
        raise FieldError(f"{shown(text)} is not one of {', '.join(options)}")
    return text


def parse_date(text: str) -> date:
    """`YYYY-MM-DD`, a day that exists."""
    return _parse_calendar(day_from_text, text)


def parse_month(text: str) -> date:
    """`YYYY-MM`, returned as the month's first day."""
    return _parse_calendar(month_from_text, text)


def _parse_calendar(parse: Callable[[str], date], text: str) -> date:
    try:
        return parse(text)
    except ValueError as error:
        raise FieldError(f"{shown(text)} {error}") from None


def parse_datetime(text: str) -> datetime:
    """ISO 8601 with a UTC offset or `Z`; an instant, whatever the offset it was written with."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise FieldError(f"{shown(text)} is not an ISO 8601 datetime") from None
    if value.tzinfo is None:
        raise FieldError(f"{shown(text)} has no UTC offset (write Z or an offset such as +01:00)")
    try:
        # The first hours of year 1 written with a negative offset fall before the first instant Python holds
        # (and the last of 9999 with a positive one after the last): they could not be stored.
        value.astimezone(UTC)
    except OverflowError:
        raise FieldError(f"{shown(text)} is out of range") from None
    return value


def parse_whole(text: str, *, minimum: int = 0) -> int:
    """A whole number ≥ `minimum` written with ASCII digits (no sign, no decimals, no separators)."""
    if not (text.isdigit() and text.isascii()):
        raise FieldError(f"{shown(text)} is not a whole number ≥ {minimum}")
    value = int(text)
    if value < minimum:
        raise FieldError(f"{value} is less than {minimum}")
    if value > MAX_INTEGER:
        raise FieldError(f"{value} is too large")
    return value


def parse_integer(text: str) -> int:
    """A whole number that may be negative (a score, checked against its scale by the caller)."""
    digits = text[1:] if text[:1] in "+-" else text
    if not (digits.isdigit() and digits.isascii()):
        raise FieldError(f"{shown(text)} is not a whole number")
    value = int(text)
    if abs(value) > MAX_INTEGER:
        raise FieldError(f"{value} is too large")
    return value


def parse_money(text: str) -> Decimal:
    """A decimal amount ≥ 0 in the reporting currency, at most 4 decimals."""
    if not _DECIMAL.fullmatch(text):
        raise FieldError(f"{shown(text)} is not a decimal number")
    try:
        value = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern only lets decimals through
        raise FieldError(f"{shown(text)} is not a decimal number") from None
    if value < 0:
        raise FieldError(f"{text} is negative (amount < 0)")
    if value >= MONEY_LIMIT:
        raise FieldError(f"{text} is too large")
    if value.quantize(MONEY_STEP) != value:
        raise FieldError(f"{text} has more than {MONEY_DECIMAL_PLACES} decimals")
    return value


def parse_currency(text: str) -> str:
    """Must be the reporting currency (setting KEEL_CURRENCY); compared case-insensitively."""
    currency: str = settings.KEEL_CURRENCY
    if text.upper() != currency:
        raise FieldError(f"{shown(text)} is not the reporting currency {currency}")
    return currency
