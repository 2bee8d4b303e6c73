"""Template filters shared by Keel's pages: `{% load keel %}`."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template

register = template.Library()

CENT = Decimal("0.01")


@register.filter
def money(value: Decimal | int | str | None) -> str:
    """An amount rounded to the cent, half up, with thousands separators: 1234.565 → "1,234.57".

    Money is exact until it is shown (METRICS.md "Conventions"), so this is the one place it is rounded.
    """
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, TypeError, ValueError):
        return ""
    return f"{amount:,.2f}"
