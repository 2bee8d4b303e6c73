"""What a Stripe Subscription object says in Keel's terms: the pieces of a subscription span (DATA.md §4).

Pure functions of the object (no database), so each rule is tested by hand-worked numbers:

- amount = Σ items' price.unit_amount × quantity, in currency units (cents ÷ 100; zero-decimal currencies as
  they are), the currency must be KEEL_CURRENCY;
- interval from price.recurring.interval × interval_count in months: 1 → month, 3 → quarter, 12 → year; any
  other whole number of months n → a monthly amount = amount ÷ n rounded to the cent (README Decisions);
- discounts (subscription.discount, subscription.discounts when expanded): percent_off, or amount_off per
  billing interval, in their order, never below 0; a discount with an `end` stops applying on that day; a
  coupon of duration "once" changes no recurring amount;
- a trial (trial_end) is billed 0 until the trial ends;
- the last day: ended_at (or canceled_at) when deleted or canceled, current_period_end (on the subscription
  or, in newer API versions, on its items) when cancel_at_period_end, else still open.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings

from accounts.models import Interval

# Stripe's zero-decimal currencies: their amounts are in whole units already.
ZERO_DECIMAL = frozenset(
    "bif clp djf gnf jpy kmf krw mga pyg rwf ugx vnd vuv xaf xof xpf".split()  # noqa: SIM905 - reads as a list
)
_MONTHS = {"month": 1, "year": 12}
_INTERVAL_OF_MONTHS = {1: Interval.MONTH, 3: Interval.QUARTER, 12: Interval.YEAR}
CENT = Decimal("0.01")


class TermsError(ValueError):
    """The subscription cannot become a span: the message says which field and why."""


@dataclass(frozen=True)
class Terms:
    """The price of a span: what `SubscriptionSpan` holds besides its dates and account."""

    plan: str
    interval: str
    amount: Decimal
    currency: str


@dataclass(frozen=True)
class Piece:
    starts_on: date
    ends_on: date | None
    terms: Terms


def local_day(timestamp: int | float) -> date:
    """A Stripe timestamp (seconds since the epoch) as a day in KEEL_TIMEZONE."""
    return datetime.fromtimestamp(timestamp, tz=UTC).astimezone(ZoneInfo(settings.KEEL_TIMEZONE)).date()


def _id(value: Any) -> str:
    """An expandable field: its id, whether Stripe sent the id or the object."""
    if isinstance(value, dict):
        return str(value.get("id") or "")
    return str(value or "")


def customer_of(subscription: dict[str, Any]) -> str:
    return _id(subscription.get("customer"))


def account_hint(subscription: dict[str, Any]) -> str:
    """metadata.keel_account_id of the subscription, or of its customer when the event expanded it."""
    for holder in (subscription, subscription.get("customer")):
        if isinstance(holder, dict):
            value = (holder.get("metadata") or {}).get("keel_account_id")
            if value:
                return str(value).strip()
    return ""


def _items(subscription: dict[str, Any]) -> list[dict[str, Any]]:
    items = subscription.get("items")
    data = items.get("data") if isinstance(items, dict) else items
    if not isinstance(data, list) or not data:
        raise TermsError("items: the subscription has no items")
    return data


def _units(cents: Decimal, currency: str) -> Decimal:
    return cents if currency.lower() in ZERO_DECIMAL else cents / 100


def _billed(subscription: dict[str, Any]) -> tuple[Decimal, int, str, str]:
    """Σ price × quantity per billing interval, the interval in months, the currency and the plan's name."""
    total = Decimal(0)
    months: set[int] = set()
    currencies: set[str] = set()
    names: list[str] = []
    for number, item in enumerate(_items(subscription), start=1):
        price = item.get("price") or item.get("plan") or {}
        where = f"items[{number}] ({item.get('id') or price.get('id') or '?'})"
        recurring = price.get("recurring") or {}
        interval = recurring.get("interval", price.get("interval"))
        count = recurring.get("interval_count", price.get("interval_count", 1))
        if interval not in _MONTHS:
            raise TermsError(
                f"{where}: price.recurring.interval is {interval!r}; Keel's intervals are months and years"
            )
        if not isinstance(count, int) or count < 1:
            raise TermsError(f"{where}: price.recurring.interval_count is {count!r}, not a whole number ≥ 1")
        unit = price.get("unit_amount_decimal") or price.get("unit_amount")
        if unit is None:
            raise TermsError(f"{where}: price.unit_amount is blank (tiered prices are not supported)")
        quantity = item.get("quantity", 1)
        if not isinstance(quantity, int) or quantity < 0:
            raise TermsError(f"{where}: quantity is {quantity!r}, not a whole number ≥ 0")
        total += Decimal(str(unit)) * quantity
        months.add(_MONTHS[interval] * count)
        currencies.add(str(price.get("currency") or subscription.get("currency") or "").upper())
        names.append(str(price.get("nickname") or price.get("lookup_key") or price.get("id") or ""))
    if len(months) > 1:
        raise TermsError("items: the items are billed at different intervals")
    currency = str(subscription.get("currency") or currencies.pop()).upper()
    if currency != settings.KEEL_CURRENCY or currencies - {currency}:
        raise TermsError(f"currency: {currency} is not Keel's currency ({settings.KEEL_CURRENCY})")
    plan = " + ".join(name for name in names if name)[:300]
    return _units(total, currency), months.pop(), currency, plan


def _discounts(subscription: dict[str, Any]) -> list[dict[str, Any]]:
    """The discount objects the event carries (ids of unexpanded discounts say nothing: skipped)."""
    found = [subscription.get("discount"), *(subscription.get("discounts") or [])]
    seen: set[str] = set()
    discounts = []
    for discount in found:
        if not isinstance(discount, dict) or discount.get("id") in seen:
            continue
        seen.add(str(discount.get("id")))
        coupon = discount.get("coupon") or (discount.get("source") or {}).get("coupon") or {}
        if isinstance(coupon, dict) and coupon.get("duration") != "once":
            discounts.append({"coupon": coupon, "end": discount.get("end")})
    return discounts


def _discounted(amount: Decimal, discounts: list[dict[str, Any]], currency: str) -> Decimal:
    for discount in discounts:
        coupon = discount["coupon"]
        if coupon.get("percent_off") is not None:
            amount -= amount * Decimal(str(coupon["percent_off"])) / 100
        elif coupon.get("amount_off") is not None:
            amount -= _units(Decimal(str(coupon["amount_off"])), currency)
    return max(amount, Decimal(0))


def in_keel_interval(amount: Decimal, months: int) -> tuple[str, Decimal]:
    """A billed amount every `months` months as Keel's interval and amount (README Decisions)."""
    if months in _INTERVAL_OF_MONTHS:
        return _INTERVAL_OF_MONTHS[months], amount.quantize(CENT, ROUND_HALF_UP)
    return Interval.MONTH, (amount / months).quantize(CENT, ROUND_HALF_UP)


def current_period_end(subscription: dict[str, Any]) -> int | None:
    """The subscription's current_period_end, or (API 2025-03-31 and later) the latest of its items'."""
    if subscription.get("current_period_end"):
        return int(subscription["current_period_end"])
    ends = [item.get("current_period_end") for item in _items(subscription)]
    return max((int(end) for end in ends if end), default=None)


def last_day(subscription: dict[str, Any], *, deleted: bool) -> date | None:
    """The span's end (exclusive): the day it ended, or will end; None while it goes on."""
    ended = subscription.get("ended_at") or (subscription.get("canceled_at") if deleted else None)
    if deleted or ended:
        stamp = ended or subscription.get("canceled_at")
        if not stamp:
            raise TermsError("ended_at: a deleted subscription without ended_at or canceled_at")
        return local_day(stamp)
    if subscription.get("cancel_at_period_end"):
        end = current_period_end(subscription)
        if end is None:
            raise TermsError("current_period_end: cancel_at_period_end without a current_period_end")
        return local_day(end)
    if subscription.get("cancel_at"):
        return local_day(subscription["cancel_at"])
    return None


def subscription_pieces(subscription: dict[str, Any], *, deleted: bool) -> list[Piece]:
    """The spans the subscription's state describes, from its start on, each at one price."""
    amount, months, currency, plan = _billed(subscription)
    start_stamp = subscription.get("start_date") or subscription.get("created")
    if not start_stamp:
        raise TermsError("start_date: the subscription has no start_date or created")
    start, end = local_day(start_stamp), last_day(subscription, deleted=deleted)
    discounts = _discounts(subscription)
    trial_end = local_day(subscription["trial_end"]) if subscription.get("trial_end") else None
    cuts = {start}
    if trial_end and trial_end > start:
        cuts.add(trial_end)
    cuts.update(local_day(d["end"]) for d in discounts if d["end"] and local_day(d["end"]) > start)
    if end is not None:
        cuts = {cut for cut in cuts if cut < end}
    days = sorted(cuts)
    pieces: list[Piece] = []
    for index, day in enumerate(days):
        piece_end = days[index + 1] if index + 1 < len(days) else end
        if trial_end and day < trial_end:
            billed = Decimal(0)
        else:
            now = [d for d in discounts if not d["end"] or local_day(d["end"]) > day]
            billed = _discounted(amount, now, currency)
        interval, value = in_keel_interval(billed, months)
        terms = Terms(plan=plan, interval=interval, amount=value, currency=currency)
        if pieces and pieces[-1].terms == terms:
            pieces[-1] = Piece(pieces[-1].starts_on, piece_end, terms)
        else:
            pieces.append(Piece(day, piece_end, terms))
    return pieces
