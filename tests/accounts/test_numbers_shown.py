"""How money and dates read on pages (accounts.numbers, accounts/templatetags/keel.py, config/formats): known
answers worked by hand."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.test import override_settings
from django.utils import timezone

from accounts.numbers import currency_symbol, money_compact, money_exact


@pytest.mark.parametrize(
    ("value", "compact", "exact"),
    [
        ("3581234.56", "$3.58M", "$3,581,234.56"),  # 3.58123 M → 3 significant digits
        ("912345.67", "$912K", "$912,345.67"),
        ("45250", "$45.3K", "$45,250.00"),  # 45.25 K, half up → 45.3
        ("4210.40", "$4,210", "$4,210.40"),  # below 10,000: whole dollars
        ("4210.50", "$4,211", "$4,210.50"),  # half up on the exact value
        ("9999.60", "$10.0K", "$9,999.60"),  # rounds to 10,000: the first K
        ("99995", "$100K", "$99,995.00"),  # 99.995 K → 100.0 → 3 digits: 100
        ("999999", "$1.00M", "$999,999.00"),  # 999.999 K would read 1000K: the next unit
        ("-1234.50", "−$1,235", "−$1,234.50"),  # a real minus, before the symbol
        ("-0.40", "$0", "−$0.40"),  # no minus on a zero
        ("0", "$0", "$0.00"),
        ("2500000000", "$2.50B", "$2,500,000,000.00"),
    ],
)
def test_money_compact_and_exact(value: str, compact: str, exact: str) -> None:
    assert money_compact(value, symbol="$") == compact
    assert money_exact(value, symbol="$") == exact


def test_missing_money_is_a_dash() -> None:
    assert money_compact(None, symbol="$") == money_exact(None, symbol="$") == "—"
    assert money_compact("not a number", symbol="$") == "—"


def test_symbols() -> None:
    assert [currency_symbol(code) for code in ("USD", "EUR", "GBP", "SEK")] == ["$", "€", "£", "SEK "]
    with override_settings(KEEL_CURRENCY="EUR"):
        html = Template("{% load keel %}{{ v|money_compact }} {{ v|money_exact }} {{ v|money }}").render(
            Context({"v": "1234567.891"})
        )
    assert html == "€1.23M €1,234,567.89 1,234,567.89"


def test_one_date_format_for_pages() -> None:
    """A day "31 Mar 2025", a month "Mar 2025", a moment "31 Mar 2025 14:05" in KEEL_TIMEZONE (a moment at 22:05
    UTC is 00:05 the next day in Berlin)."""
    moment = datetime(2025, 3, 31, 22, 5, tzinfo=ZoneInfo("UTC"))
    template = Template('{{ d|date }} · {{ d|date:"YEAR_MONTH_FORMAT" }} · {{ m|date:"DATETIME_FORMAT" }}')
    with timezone.override(ZoneInfo("Europe/Berlin")):
        html = template.render(Context({"d": date(2025, 3, 31), "m": moment}))
    assert html == "31 Mar 2025 · Mar 2025 · 1 Apr 2025 00:05"
