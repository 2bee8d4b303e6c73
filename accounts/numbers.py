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


# The symbols Keel writes before an amount (KEEL_CURRENCY); any other currency is written with its code.
SYMBOLS = {
    "USD": "$",
    "EUR": "€",
    "GBP": "£",
    "JPY": "¥",
    "INR": "₹",
    "CAD": "CA$",
    "AUD": "A$",
    "CHF": "CHF ",
}
# Compact units, largest first: a tile shows 3 significant digits of the unit (3.58M, 912K, 45.2K).
_UNITS = ((Decimal(10) ** 9, "B"), (Decimal(10) ** 6, "M"), (Decimal(10) ** 3, "K"))
_COMPACT_FROM = Decimal(10_000)  # below this a tile shows whole units: $4,210


def currency_symbol(code: str) -> str:
    """What precedes an amount: "$" for USD, "€", "£"…, else the code and a space ("SEK ")."""
    return SYMBOLS.get(code, f"{code} ")


def _signed(text: str, negative: bool, symbol: str) -> str:
    return f"{MINUS if negative else ''}{symbol}{text}"


def money_exact(value: Decimal | int | str | None, *, symbol: str, missing: str = "—") -> str:
    """Money for people with its symbol, to the cent: −$1,234.57 (money_shown's rounding, once)."""
    text = money_shown(value)
    if not text:
        return missing
    return _signed(text.removeprefix(MINUS), text.startswith(MINUS), symbol)


def money_compact(value: Decimal | int | str | None, *, symbol: str, missing: str = "—") -> str:
    """Money short enough for a tile, no cents: $4,210 below 10,000 (whole units, half up), then 3 significant
    digits of K, M or B: 912,345.67 → $912K, 3,581,234.56 → $3.58M, 45,250 → $45.3K (half up, on the exact
    value: rounded once). A value that rounds up to the next unit takes it: 999,999 → $1.00M."""
    if value is None or value == "":
        return missing
    try:
        exact = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return missing
    size = abs(exact)
    whole = size.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    if whole < _COMPACT_FROM:
        return _signed(f"{whole:,}", exact < 0 and whole != 0, symbol)
    for scale, unit in reversed(_UNITS):
        if size < scale * 1000 or unit == "B":
            scaled = size / scale
            for places in (2, 1, 0):  # 3 significant digits, counted after rounding: 9.995 → 10.0
                shown = scaled.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
                if shown < 10 ** (3 - places):
                    break
            if shown >= 1000 and unit != "B":
                continue  # 999.95K is 1.00M
            return _signed(f"{shown:,}{unit}", exact < 0, symbol)
    raise AssertionError("unreachable")  # pragma: no cover


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
