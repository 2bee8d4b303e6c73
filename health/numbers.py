"""How health numbers are shown: one decimal, rounded half up like PostgreSQL's round(numeric) that writes task
reasons, so a score reads the same on every page and in emails; a change is the difference of the shown values,
so "from 87.3 to 59.1" always fell 28.2."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

TENTH = Decimal("0.1")


def rounded(value: float) -> Decimal:
    """87.25 → 87.3 (Python's format would give 87.2: it rounds the binary value half to even)."""
    return Decimal(repr(value)).quantize(TENTH, rounding=ROUND_HALF_UP)


def one_decimal(value: float) -> str:
    return str(rounded(value))


def one_decimal_fall(before: float, after: float) -> str:
    """How far the shown value fell (or rose) from `before` to `after`, without a sign."""
    return str(abs(rounded(before) - rounded(after)))


def compact(value: float) -> str:
    """One decimal, without a useless one: 40.0 → "40", 75.47 → "75.5"."""
    shown = rounded(value)
    return str(shown.quantize(Decimal(1))) if shown == shown.to_integral_value() else str(shown)
