"""Template filters shared by Keel's pages: `{% load keel %}`."""

from __future__ import annotations

from decimal import Decimal

from django import template

from accounts.numbers import money_shown

register = template.Library()


@register.filter
def money(value: Decimal | int | str | None) -> str:
    """An amount rounded to the cent, half up, with thousands separators: 1234.565 → "1,234.57" (the one place
    money is rounded for people: accounts.numbers.money_shown)."""
    return money_shown(value)
