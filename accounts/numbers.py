"""How Keel's numbers leave it (METRICS.md "Conventions"), written once for every app.

- Money is exact (numeric, Decimal) until it is output, then rounded to the cent, half up, once: `money` for
  machines (the API, `kpis`, CSV exports), `money_shown` for people (pages, emails).
- A rate is a ratio of exact values, null when its denominator is 0 (never 0 for "no data"): `ratio`.
- Health scores are shown with one decimal, rounded half up like PostgreSQL's round(numeric), so a score reads
  the same everywhere; a change is the difference of the shown values, so "from 87.3 to 59.1" always fell 28.2.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

CENT = Decimal("0.01")
TENTH = Decimal("0.1")
MINUS = "−"  # a real minus sign on pages, never a hyphen


def cents(value: Decimal | int | str) -> Decimal:
    """The amount rounded to the cent, half up: 1234.565 → 1234.57."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def money(value: Decimal | int | str | None) -> str | None:
    """A money string for machines, 2 decimals: 1234.565 → "1234.57"; None stays None."""
    return None if value is None else str(cents(value))


def grouped(number: Decimal, places: int) -> str:
    """A number with thousands separators and a real minus, `places` decimals as given: −1,234.50."""
    text = f"{abs(number):,.{places}f}"
    return f"{MINUS}{text}" if number < 0 and float(text.replace(",", "")) != 0 else text


def money_shown(value: Decimal | int | str | None, *, missing: str = "") -> str:
    """Money for people: rounded to the cent, thousands separators, a real minus: 1234567.5 → "1,234,567.50".
    `missing` for None or a value that is not a number."""
    if value is None or value == "":
        return missing
    try:
        return grouped(cents(value), 2)
    except (InvalidOperation, TypeError, ValueError):
        return missing


def ratio(numerator: Decimal | int | None, denominator: Decimal | int | None) -> Decimal | None:
    """numerator / denominator, exact to 40 digits; None when the denominator is 0 or either is missing."""
    if numerator is None or denominator is None or denominator == 0:
        return None
    with localcontext() as context:
        context.prec = 40
        return Decimal(numerator) / Decimal(denominator)


def number(value: Decimal | float | None) -> float | None:
    """A number for JSON (a float), None stays None."""
    return None if value is None else float(value)


def rounded(value: float) -> Decimal:
    """One decimal, half up: 87.25 → 87.3 (Python's format would give 87.2: it rounds the binary value half to
    even)."""
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
