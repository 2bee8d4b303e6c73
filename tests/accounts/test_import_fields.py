"""The value parsers the importer (and later the API) validate with: each accepts what DATA.md allows and says
why it refuses the rest."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st

from accounts.importers import fields
from accounts.importers.fields import FieldError


def test_datetimes_need_an_offset_and_keep_the_instant() -> None:
    assert fields.parse_datetime("2025-03-04T17:20:00+01:00") == datetime(2025, 3, 4, 16, 20, tzinfo=UTC)
    assert fields.parse_datetime("2025-03-04T16:20:00Z") == datetime(2025, 3, 4, 16, 20, tzinfo=UTC)
    with pytest.raises(FieldError, match="has no UTC offset"):
        fields.parse_datetime("2025-03-04T17:20:00")
    with pytest.raises(FieldError, match="is not an ISO 8601 datetime"):
        fields.parse_datetime("2025-02-30T10:00:00Z")


@given(
    st.datetimes(
        timezones=st.sampled_from(
            [UTC, timezone(timedelta(hours=-5)), timezone(timedelta(hours=5, minutes=45))]
        )
    )
)
def test_any_iso_datetime_with_an_offset_parses_to_the_same_instant(moment: datetime) -> None:
    assert fields.parse_datetime(moment.isoformat()) == moment


def test_dates_and_months() -> None:
    assert fields.parse_date("2024-02-29") == date(2024, 2, 29)
    with pytest.raises(FieldError, match="'2023-02-29' is not a day that exists"):
        fields.parse_date("2023-02-29")
    with pytest.raises(FieldError, match=r"is not a date \(YYYY-MM-DD\)"):
        fields.parse_date("20240229")
    assert fields.parse_month("2024-07") == date(2024, 7, 1)
    with pytest.raises(FieldError, match="is not a month that exists"):
        fields.parse_month("2024-00")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("1.5", "not a whole number ≥ 0"),
        ("-1", "not a whole number ≥ 0"),
        ("١٢", "not a whole number ≥ 0"),
        ("1_000", "not a whole number ≥ 0"),
        ("9999999999", "is too large"),
    ],
)
def test_whole_numbers(text: str, reason: str) -> None:
    assert fields.parse_whole("12") == 12
    with pytest.raises(FieldError, match=reason):
        fields.parse_whole(text)


def test_money() -> None:
    assert fields.parse_money("12.50") == Decimal("12.50")
    assert fields.parse_money(".5") == Decimal("0.5")
    assert fields.parse_money("7.25000") == Decimal("7.25")  # trailing zeros are not decimals that matter
    for text, reason in [
        ("1e3", "not a decimal number"),
        ("NaN", "not a decimal number"),
        ("-1", "negative"),
        ("0.00001", "more than 4 decimals"),
        ("1" + "0" * 14, "too large"),
    ]:
        with pytest.raises(FieldError, match=reason):
            fields.parse_money(text)


@given(st.decimals(min_value=0, max_value=Decimal("99999999999999.9999"), places=4))
def test_any_amount_in_range_round_trips(amount: Decimal) -> None:
    assert fields.parse_money(str(amount)) == amount


def test_texts_emails_choices_and_currency() -> None:
    assert fields.parse_text("x" * 200, max_length=200) == "x" * 200
    with pytest.raises(FieldError, match="longer than 200 characters"):
        fields.parse_text("x" * 201, max_length=200)
    with pytest.raises(FieldError, match="NUL"):
        fields.parse_text("a\x00b")
    assert fields.parse_email("Jane@Example.com") == "Jane@Example.com"
    with pytest.raises(FieldError, match="no @"):
        fields.parse_email("jane")
    with pytest.raises(FieldError, match="'Month' is not one of month, year"):
        fields.parse_choice("Month", choices=["month", "year"])
    assert fields.parse_currency("usd") == "USD"
    with override_settings(KEEL_CURRENCY="EUR"), pytest.raises(FieldError, match="reporting currency EUR"):
        fields.parse_currency("USD")
