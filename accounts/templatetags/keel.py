"""Template filters shared by Keel's pages: `{% load keel %}`. The one filter module for money (the rules live in
accounts.numbers: exact until output, rounded once, half up).

- `money`: to the cent, no symbol, for tables whose header names the currency: 1,234.57
- `money_exact`: to the cent with the currency's symbol (KEEL_CURRENCY): $1,234.57
- `money_compact`: short, for tiles and summaries, no cents: $4,210, $912K, $3.58M (pair it with the exact value
  in a title and for screen readers, as the dashboards' tiles do)
- `{% account_url pk %}`: the account 360's address, for the rows of a list
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from django import template
from django.conf import settings
from django.urls import reverse

from accounts.numbers import currency_symbol, money_shown
from accounts.numbers import money_compact as compact
from accounts.numbers import money_exact as exact

register = template.Library()

Amount = Decimal | int | str | None


@register.filter
def money(value: Amount) -> str:
    """An amount rounded to the cent, half up, with thousands separators: 1234.565 → "1,234.57" (the one place
    money is rounded for people: accounts.numbers.money_shown)."""
    return money_shown(value)


@register.filter
def money_exact(value: Amount) -> str:
    """An amount to the cent with its symbol: 1234.565 → "$1,234.57"; a dash when there is none."""
    return exact(value, symbol=currency_symbol(settings.KEEL_CURRENCY))


@register.filter
def money_compact(value: Amount) -> str:
    """An amount in 3 significant digits with its symbol, no cents: 3581234.56 → "$3.58M"."""
    return compact(value, symbol=currency_symbol(settings.KEEL_CURRENCY))


@register.simple_tag
def currency_sign() -> str:
    """The symbol of KEEL_CURRENCY, without the space a code gets ("$", "€", "SEK")."""
    return currency_symbol(settings.KEEL_CURRENCY).strip()


@lru_cache(maxsize=1)
def _account_around() -> tuple[str, str]:
    before, _, after = reverse("account_detail", args=[0]).rpartition("0")
    return before, after


@register.simple_tag
def account_url(pk: int) -> str:
    """The account 360 of `pk`, as {% url 'account_detail' pk %} writes it, reversed once per process rather than
    once a row: {% url %} costs some 0.1 ms a call, and a list links every row (the CSM dashboard 35 of them)."""
    before, after = _account_around()
    return f"{before}{int(pk)}{after}"
