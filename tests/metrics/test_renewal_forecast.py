"""The renewal forecast (METRICS.md "Renewal forecast"): the pipeline's rows of the renewals due in the 12 months
after the latest computed day, the likelihood-weighted ARR worked by hand, the page and its month's renewals, and
who sees what."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from accounts.models import Account, User
from accounts.sql import sql_step
from metrics.models import RenewalDue, RenewalRates
from metrics.selectors.forecast import renewal_forecast
from metrics.services.renewals import forecast_until
from metrics.sql import files
from tests.scenarios import Facts


def test_the_pipeline_writes_the_term_ends_of_the_next_12_months(csm: User, facts: Facts) -> None:
    """Computed up to 2024-06-30 (until = 2025-05-31): Y yearly from 2023-09-15 → 2024-09-15 ($1,200);
    Q quarterly from 2024-01-31 → Jul 31, Oct 31, 2025-01-31, Apr 30 ($400 × 4 = 1,600 a year each); E yearly
    from 2023-08-01 ending 2024-07-15 → none (ends before t − 1); M monthly → none; F yearly from 2024-06-01 →
    2025-06-01, after the horizon. Rates: no month-end has its 90 days computed, so none."""
    y, q, e, m, f = (facts.account(name, csm=csm) for name in ("Y", "Q", "E", "M", "F"))
    facts.span(y, "1200", "year", "2023-09-15", subscription="sub_y")
    facts.span(q, "400", "quarter", "2024-01-31", subscription="sub_q")
    facts.span(e, "1200", "year", "2023-08-01", "2024-07-15")
    facts.span(m, "100", "month", "2023-01-01")
    facts.span(f, "1200", "year", "2024-06-01")
    facts.compute("2024-06-01", "2024-06-30", today="2024-07-01")
    assert forecast_until(date(2024, 6, 30)) == date(2025, 5, 31)
    rows = sorted(RenewalDue.objects.values_list("subscription_id", "term_end", "arr", "csm"))
    assert rows == [
        ("sub_q", date(2024, 7, 31), Decimal("1600"), csm.pk),
        ("sub_q", date(2024, 10, 31), Decimal("1600"), csm.pk),
        ("sub_q", date(2025, 1, 31), Decimal("1600"), csm.pk),
        ("sub_q", date(2025, 4, 30), Decimal("1600"), csm.pk),
        ("sub_y", date(2024, 9, 15), Decimal("1200"), csm.pk),
    ]
    # Each renewal carries its account's status in the latest snapshot.
    for renewal in RenewalDue.objects.select_related("account__current"):
        assert renewal.status == renewal.account.current.status != ""
    rates = RenewalRates.objects.get()
    assert (rates.as_of, rates.green, rates.overall, rates.first_month_end) == (
        date(2024, 6, 30),
        None,
        None,
        None,
    )
    forecast = renewal_forecast(user=csm)
    assert [row.month for row in forecast.months][:2] == [date(2024, 6, 1), date(2024, 7, 1)]
    assert len(forecast.months) == 12
    assert (forecast.arr, forecast.count, forecast.weighted) == (Decimal("7600"), 5, None)


@pytest.fixture
def stored(csm: User, other_csm: User, facts: Facts) -> dict[str, Account]:
    """As of 2024-06-30, rates green 5%, yellow 20%, red 50%, overall 10%. Renewals (ARR):
    July: A green 1,000.00 (Alice) · B red 2,000.00 (Alice) · C unscored 300.00 (Bob)
    September: D yellow 1,234.56 (Bob)."""
    RenewalRates.objects.create(
        as_of=date(2024, 6, 30),
        model_version=1,
        first_month_end=date(2023, 7, 31),
        last_month_end=date(2024, 3, 31),
        green=0.05,
        yellow=0.2,
        red=0.5,
        overall=0.1,
    )
    accounts = {}
    for name, owner, term_end, status, arr in [
        ("A", csm, "2024-07-10", "green", "1000.00"),
        ("B", csm, "2024-07-20", "red", "2000.00"),
        ("C", other_csm, "2024-07-31", "", "300.00"),
        ("D", other_csm, "2024-09-01", "yellow", "1234.56"),
    ]:
        account = accounts[name] = facts.account(name, csm=owner)
        RenewalDue.objects.create(
            as_of=date(2024, 6, 30),
            term_end=date.fromisoformat(term_end),
            account=account,
            subscription_id=f"sub_{name}",
            csm=owner,
            status=status,
            arr=Decimal(arr),
        )
    with transaction.atomic(), sql_step() as step:
        step.run(files, "renewal_month")
    return accounts


def test_the_weighted_arr_worked_by_hand(stored: dict[str, Account], vp: User, csm: User) -> None:
    """July: 1,000 × 0.95 + 2,000 × 0.5 + 300 × 0.9 = 950 + 1,000 + 270 = 2,220 of 3,300 due.
    September: 1,234.56 × 0.8 = 987.648. Twelve months: 4,534.56 due, 3,207.648 likely.
    Alice's book: July 1,000 × 0.95 + 2,000 × 0.5 = 1,950 of 3,000."""
    forecast = renewal_forecast(user=vp)
    july, september = forecast.months[1], forecast.months[3]
    assert (july.month, july.arr, july.weighted, july.count) == (
        date(2024, 7, 1),
        Decimal("3300.00"),
        Decimal("2220.000"),
        3,
    )
    assert july.by_status[""].weighted == Decimal("270.000")
    assert (september.arr, september.weighted) == (Decimal("1234.56"), Decimal("987.648"))
    assert (forecast.arr, forecast.weighted) == (Decimal("4534.56"), Decimal("3207.648"))
    mine = renewal_forecast(user=csm)
    assert (mine.arr, mine.weighted) == (Decimal("3000.00"), Decimal("1950.000"))


def test_the_page_and_a_months_renewals(
    client: Client, stored: dict[str, Account], vp: User, csm: User, django_assert_max_num_queries: object
) -> None:
    client.force_login(vp)
    with django_assert_max_num_queries(10):  # type: ignore[operator]
        page = client.get(reverse("renewal_forecast"), {"month": "2024-07"}).content.decode()
    assert "$3,207.65" in page  # likely, 12 months (exact on hover)
    assert "2,220.00" in page and "3,300.00" in page
    assert "ARR $3,300.00 · likely $2,220.00" in page
    for name in ("A", "B", "C"):
        assert f">{name}</a>" in page
    assert ">D</a>" not in page  # September's
    assert "5.0%" in page and "20.0%" in page and "50.0%" in page and "10.0%" in page

    client.force_login(csm)
    mine = client.get(reverse("renewal_forecast"), {"month": "2024-07"}).content.decode()
    assert ">A</a>" in mine and ">B</a>" in mine and ">C</a>" not in mine
    assert client.get(reverse("renewal_forecast"), {"month": "garbage"}).status_code == 200


def test_a_vp_narrows_to_one_csm(
    client: Client, stored: dict[str, Account], vp: User, other_csm: User
) -> None:
    client.force_login(vp)
    page = client.get(
        reverse("renewal_forecast"), {"csm": str(other_csm.pk), "month": "2024-09"}
    ).content.decode()
    assert ">D</a>" in page and "1,234.56" in page
    assert client.get(reverse("renewal_forecast"), {"csm": 99999}).status_code == 404


def test_a_months_renewals_come_in_pages_of_100(csm: User, vp: User, facts: Facts, client: Client) -> None:
    """150 renewals in July: page 1 has 100 (the earliest term ends), page 2 the other 50; the month's count and
    ARR come from the summed rows."""
    RenewalRates.objects.create(as_of=date(2024, 6, 30), model_version=1, overall=0.1)
    account = facts.account("Big", csm=csm)
    RenewalDue.objects.bulk_create(
        RenewalDue(
            as_of=date(2024, 6, 30),
            term_end=date(2024, 7, 1 + n % 31),
            account=account,
            subscription_id=f"sub_{n:03}",
            csm=csm,
            status="",
            arr=Decimal(10),
        )
        for n in range(150)
    )
    with transaction.atomic(), sql_step() as step:
        step.run(files, "renewal_month")
    client.force_login(vp)
    first = client.get(reverse("renewal_forecast"), {"month": "2024-07"})
    assert len(first.context["renewals"].object_list) == 100
    assert "Page 1 of 2" in first.content.decode() and "150 · ARR $1,500.00" in first.content.decode()
    second = client.get(reverse("renewal_forecast"), {"month": "2024-07", "page": "2"})
    assert len(second.context["renewals"].object_list) == 50
    assert max(r.term_end for r in first.context["renewals"]) <= min(
        r.term_end for r in second.context["renewals"]
    )
