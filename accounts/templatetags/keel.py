"""Template filters shared by Keel's pages: `{% load keel %}`. The one filter module for money (the rules live in
accounts.numbers: exact until output, rounded once, half up).

- `money`: to the cent, no symbol, for tables whose header names the currency: 1,234.57
- `money_exact`: to the cent with the currency's symbol (KEEL_CURRENCY): $1,234.57
- `money_compact`: short, for tiles and summaries, no cents: $4,210, $912K, $3.58M (pair it with the exact value
  in a title and for screen readers, as the dashboards' tiles do)
- `{% url_of 'name' pk %}`, `{% account_url pk %}`: addresses reversed once per process (the navigation, rows)
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache

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


_PK = 987654321  # a pk no path holds otherwise: where the reversed address is cut


@cache
def url_around(name: str, with_pk: bool = False) -> tuple[str, str]:
    """The address of the URL named `name` before and after its pk (`with_pk`), or whole: reversed once per
    process. {% url %} costs 70–170 µs a call (measured on this repo's pages, 2 cores), a variable 5 µs; the
    navigation alone holds fifteen addresses, and a list links every row."""
    if not with_pk:
        return reverse(name), ""
    before, _, after = reverse(name, args=[_PK]).partition(str(_PK))
    return before, after


@register.simple_tag
def url_of(name: str, pk: int | None = None) -> str:
    """{% url name %} or {% url name pk %} for a URL whose one argument is a pk, as Django writes it."""
    before, after = url_around(name, pk is not None)
    return before if pk is None else f"{before}{int(pk)}{after}"


@register.simple_tag
def account_url(pk: int) -> str:
    """The account 360 of `pk`, for the rows of a list."""
    return url_of("account_detail", pk)
