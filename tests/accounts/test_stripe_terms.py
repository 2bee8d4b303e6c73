"""A Stripe Subscription object in Keel's terms, by hand-worked numbers (accounts.services.stripe_terms), and
DATA.md's upgrade rule on a subscription's spans (spans_after_change). No database: pure functions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from accounts.services.stripe import spans_after_change
from accounts.services.stripe_terms import Piece, Terms, TermsError, in_keel_interval, subscription_pieces
from tests.accounts.stripe_events import at, item, subscription

START = date(2024, 1, 10)


def pieces(obj: dict[str, Any], *, deleted: bool = False) -> list[tuple[date, date | None, str, Decimal]]:
    return [
        (p.starts_on, p.ends_on, p.terms.interval, p.terms.amount)
        for p in subscription_pieces(obj, deleted=deleted)
    ]


def coupon(
    *, percent_off: float | None = None, amount_off: int | None = None, **fields: Any
) -> dict[str, Any]:
    return {
        "id": f"di_{percent_off}_{amount_off}",
        "object": "discount",
        "coupon": {"id": "C", "percent_off": percent_off, "amount_off": amount_off, "duration": "forever"}
        | fields.pop("coupon", {}),
        "end": fields.pop("end", None),
    }


def test_quantity_times_price_in_currency_units() -> None:
    # 3 seats × $49.00 = $147.00 a month.
    assert pieces(subscription(items=[item(4900, 3)])) == [(START, None, "month", Decimal("147.00"))]


def test_items_add_up() -> None:
    # $100.00 + 2 × $12.50 = $125.00.
    assert pieces(subscription(items=[item(10000), item(1250, 2)]))[0][3] == Decimal("125.00")


@pytest.mark.parametrize(
    ("interval", "count", "cents", "expected"),
    [
        ("month", 1, 10000, ("month", Decimal("100.00"))),
        ("month", 3, 30000, ("quarter", Decimal("300.00"))),  # every 3 months: Keel's quarter
        ("month", 12, 120000, ("year", Decimal("1200.00"))),
        ("year", 1, 120000, ("year", Decimal("1200.00"))),
        (
            "month",
            6,
            100000,
            ("month", Decimal("166.67")),
        ),  # $1,000 every 6 months: 1000 / 6 = 166.666… a month
        ("month", 2, 5001, ("month", Decimal("25.01"))),  # $50.01 / 2 = 25.005 → 25.01 (half up)
        ("year", 2, 240000, ("month", Decimal("100.00"))),  # $2,400 every 24 months
    ],
)
def test_interval_and_interval_count(
    interval: str, count: int, cents: int, expected: tuple[str, Decimal]
) -> None:
    obj = subscription(items=[item(cents, interval=interval, count=count)])
    assert pieces(obj)[0][2:] == expected


def test_in_keel_interval_rule() -> None:
    assert in_keel_interval(Decimal("1000"), 6) == ("month", Decimal("166.67"))
    assert in_keel_interval(Decimal("300"), 3) == ("quarter", Decimal("300.00"))


def test_a_20_percent_discount() -> None:
    # 3 × $50.00 = $150.00, 20% off = $120.00.
    obj = subscription(items=[item(5000, 3)], discount=coupon(percent_off=20))
    assert pieces(obj) == [(START, None, "month", Decimal("120.00"))]


def test_amount_off_is_per_billing_interval() -> None:
    # $1,000.00 every 6 months, $100.00 off each bill = $900.00 / 6 = $150.00 a month.
    obj = subscription(items=[item(100000, interval="month", count=6)], discounts=[coupon(amount_off=10000)])
    assert pieces(obj) == [(START, None, "month", Decimal("150.00"))]


def test_a_discount_ends_on_its_end_day_and_once_changes_nothing() -> None:
    # 20% off until 2024-04-10: $80.00, then $100.00.
    obj = subscription(discount=coupon(percent_off=20, end=at(date(2024, 4, 10))))
    assert pieces(obj) == [
        (START, date(2024, 4, 10), "month", Decimal("80.00")),
        (date(2024, 4, 10), None, "month", Decimal("100.00")),
    ]
    once = subscription(discount=coupon(percent_off=50, coupon={"duration": "once"}))
    assert pieces(once) == [(START, None, "month", Decimal("100.00"))]


def test_a_trial_is_billed_zero_until_it_ends() -> None:
    obj = subscription(status="trialing", trial_start=at(START), trial_end=at(date(2024, 1, 24)))
    assert pieces(obj) == [
        (START, date(2024, 1, 24), "month", Decimal("0.00")),
        (date(2024, 1, 24), None, "month", Decimal("100.00")),
    ]


def test_cancel_at_period_end_ends_at_the_period_end() -> None:
    obj = subscription(cancel_at_period_end=True, current_period_end=at(date(2024, 3, 10)))
    assert pieces(obj) == [(START, date(2024, 3, 10), "month", Decimal("100.00"))]
    # Newer API versions: current_period_end on the items.
    on_items = subscription(
        cancel_at_period_end=True, items=[item(10000) | {"current_period_end": at(date(2024, 4, 10))}]
    )
    assert pieces(on_items)[0][1] == date(2024, 4, 10)


def test_deleted_ends_at_ended_at_or_canceled_at() -> None:
    obj = subscription(status="canceled", ended_at=at(date(2024, 3, 5)), canceled_at=at(date(2024, 3, 1)))
    assert pieces(obj, deleted=True) == [(START, date(2024, 3, 5), "month", Decimal("100.00"))]
    obj = subscription(status="canceled", canceled_at=at(date(2024, 3, 1)))
    assert pieces(obj, deleted=True)[0][1] == date(2024, 3, 1)
    # Set to cancel on a date.
    assert pieces(subscription(cancel_at=at(date(2024, 6, 1))))[0][1] == date(2024, 6, 1)
    # Ended the day it began: no span at all.
    assert pieces(subscription(ended_at=at(START)), deleted=True) == []


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"currency": "eur"}, "currency: EUR is not Keel's currency (USD)"),
        ({"items": [item(100, interval="week")]}, "price.recurring.interval is 'week'"),
        ({"items": []}, "items: the subscription has no items"),
        ({"items": [item(100), item(100, interval="year")]}, "billed at different intervals"),
        ({"items": [item(100) | {"quantity": -1}]}, "quantity is -1"),
    ],
)
def test_what_cannot_become_a_span_says_why(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(TermsError, match=message.replace("(", r"\(").replace(")", r"\)")):
        subscription_pieces(subscription(**fields), deleted=False)


PRO, TEAM = Terms("Pro", "month", Decimal("100.00"), "USD"), Terms("Team", "month", Decimal("150.00"), "USD")


def test_a_price_change_ends_the_old_span_on_the_change_day() -> None:
    existing = [Piece(START, None, PRO)]
    after = spans_after_change(existing, [Piece(START, None, TEAM)], changed_on=date(2024, 3, 15))
    assert after == [Piece(START, date(2024, 3, 15), PRO), Piece(date(2024, 3, 15), None, TEAM)]


def test_the_same_price_goes_on_and_its_end_follows_the_newest_state() -> None:
    existing = [Piece(START, None, PRO)]
    cancelled = spans_after_change(
        existing, [Piece(START, date(2024, 5, 10), PRO)], changed_on=date(2024, 3, 15)
    )
    assert cancelled == [Piece(START, date(2024, 5, 10), PRO)]
    undone = spans_after_change(cancelled, [Piece(START, None, PRO)], changed_on=date(2024, 4, 1))
    assert undone == [Piece(START, None, PRO)]
    # Deleted, told after the day it ended: it ends on that day, not on the day Keel heard.
    ended = spans_after_change(existing, [Piece(START, date(2024, 3, 5), PRO)], changed_on=date(2024, 3, 7))
    assert ended == [Piece(START, date(2024, 3, 5), PRO)]
