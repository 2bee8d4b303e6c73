"""Contract terms apart from billing (issue 15; DATA.md subscriptions.csv `renews_on`, `term`; METRICS.md
`renewals_due`): where terms end, in Python (accounts/terms.py) and in SQL (keel_term_end_in_month), the import
of the two columns and their errors, and the renewal rate they feed."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.db import connection

from accounts.models import SubscriptionSpan
from accounts.months import add_months
from accounts.terms import term_ends
from tests.accounts.test_import_helpers import Importer
from tests.scenarios import Facts


@dataclass(frozen=True)
class Span:
    starts_on: date
    ends_on: date | None
    interval: str
    renews_on: date | None = None
    term: str = ""


FROM, UNTIL = date(2024, 1, 1), date(2026, 12, 31)


@pytest.mark.parametrize(
    ("span", "expected"),
    [
        # Billed monthly on a yearly contract signed for 2024-06-15: every 15 June from then.
        (
            Span(date(2024, 3, 1), None, "month", date(2024, 6, 15), "year"),
            ["2024-06-15", "2025-06-15", "2026-06-15"],
        ),
        # A term without renews_on runs from the start: yearly from 1 March.
        (Span(date(2024, 3, 1), None, "month", None, "year"), ["2025-03-01", "2026-03-01"]),
        # Billed yearly from 2024-01-10 with the contract renewing 1 April: from 1 April, yearly (the interval).
        (Span(date(2024, 1, 10), None, "year", date(2024, 4, 1)), ["2024-04-01", "2025-04-01", "2026-04-01"]),
        # Nothing given: the interval's anniversaries; a month does not renew.
        (Span(date(2024, 1, 31), date(2024, 11, 1), "quarter"), ["2024-04-30", "2024-07-31", "2024-10-31"]),
        (Span(date(2024, 1, 31), None, "month"), []),
        # A quarterly term on monthly billing, ending with the span: due while active the day before (t ≤ ends_on).
        (Span(date(2024, 1, 1), date(2024, 7, 1), "month", None, "quarter"), ["2024-04-01", "2024-07-01"]),
    ],
)
def test_term_ends_worked_by_hand(span: Span, expected: list[str]) -> None:
    assert term_ends(span, after=FROM, until=UNTIL) == [date.fromisoformat(day) for day in expected]


def _sql_term_ends(span: Span) -> list[date]:
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT t FROM generate_series(%s::date, %s::date, '1 month') m(m)
               CROSS JOIN LATERAL (SELECT keel_term_end_in_month(%s, %s, %s, %s, %s, m.m::date) AS t) t
               WHERE t.t > %s AND t.t <= %s ORDER BY t""",
            [
                FROM.replace(day=1),
                UNTIL,
                span.starts_on,
                span.ends_on,
                span.interval,
                span.renews_on,
                span.term,
                FROM,
                UNTIL,
            ],
        )
        return [day for (day,) in cursor.fetchall()]


@pytest.mark.django_db
def test_sql_and_python_agree_on_every_kind_of_span() -> None:
    """400 spans drawn at random (month-end starts included, with and without renews_on and term): the SQL
    function and the Python rule give the same term ends."""
    rng = random.Random(15)
    for _ in range(400):
        starts_on = date(2022, 1, 1) + timedelta(days=rng.randrange(0, 1500))
        if rng.random() < 0.3:
            starts_on = add_months(starts_on.replace(day=1), 1) - timedelta(days=1)
        ends_on = starts_on + timedelta(days=rng.randrange(1, 1500)) if rng.random() < 0.5 else None
        renews_on = starts_on + timedelta(days=rng.randrange(1, 400)) if rng.random() < 0.5 else None
        span = Span(
            starts_on,
            ends_on,
            rng.choice(["month", "quarter", "year"]),
            renews_on,
            rng.choice(["", "", "month", "quarter", "year"]),
        )
        assert _sql_term_ends(span) == term_ends(span, after=FROM, until=UNTIL), span


def test_the_columns_are_imported(import_after_full: Importer) -> None:
    result = import_after_full(
        {
            "subscriptions.csv": """\
            subscription_id,account_id,amount,interval,starts_on,ends_on,plan,renews_on,term
            sub_t,ACC-1,100,month,2024-03-01,,Pro,2024-06-15,year
            sub_u,ACC-1,1200,year,2024-01-01,,Pro,,
            """
        }
    )
    assert result.ok, result.errors
    stored = {span.subscription_id: (span.renews_on, span.term) for span in SubscriptionSpan.objects.all()}
    assert stored["sub_t"] == (date(2024, 6, 15), "year")
    assert stored["sub_u"] == (None, "")


def test_bad_terms_name_the_line_and_change_nothing(import_after_full: Importer) -> None:
    before = list(SubscriptionSpan.objects.values_list("subscription_id", "renews_on", "term").order_by("pk"))
    result = import_after_full(
        {
            "subscriptions.csv": """\
            subscription_id,account_id,amount,interval,starts_on,ends_on,plan,renews_on,term
            sub_t,ACC-1,100,month,2024-03-01,,Pro,2024-03-01,year
            sub_v,ACC-1,100,month,2024-03-01,,Pro,2024-09-01,decade
            """
        }
    )
    assert not result.ok
    assert result.errors == [
        "subscriptions.csv:2: renews_on: 2024-03-01 is not after starts_on 2024-03-01 (the first term ends after "
        "the start)",
        "subscriptions.csv:3: term: 'decade' is not one of month, quarter, year",
    ]
    after = list(SubscriptionSpan.objects.values_list("subscription_id", "renews_on", "term").order_by("pk"))
    assert after == before


def test_the_renewal_rate_counts_contract_terms(facts: Facts) -> None:
    """$100/month from 2024-03-01 on a yearly contract renewing 2024-06-15: June has 1 renewal due, renewed
    (still active on Jun 15). Without the term it would have none (monthly billing does not renew); a yearly
    span from 2023-06-20 whose contract was moved to renew on 2024-07-01 is due in July, not in June."""
    account = facts.account("Contract")
    SubscriptionSpan.objects.create(
        subscription_id="c1",
        account=account,
        amount=100,
        interval="month",
        currency="USD",
        starts_on=date(2024, 3, 1),
        renews_on=date(2024, 6, 15),
        term="year",
    )
    SubscriptionSpan.objects.create(
        subscription_id="c2",
        account=account,
        amount=1200,
        interval="year",
        currency="USD",
        starts_on=date(2023, 6, 20),
        renews_on=date(2024, 7, 1),
    )
    facts.compute("2024-06-01", "2024-07-31")
    june, july = facts.kpis("2024-06", "2024-07")
    assert (june["renewals_due"], june["renewals_renewed"], june["renewal_rate"]) == (1, 1, 1.0)
    assert (july["renewals_due"], july["renewals_renewed"]) == (1, 1)


def test_the_forecast_and_the_360_use_the_contract_date(facts: Facts) -> None:
    """The same contract: the forecast as of 2024-05-31 lists its renewal on 2024-06-15 (and none on the 1st of
    a month, as its billing would), the 360's next renewal too."""
    from metrics.models import RenewalDue
    from metrics.selectors.renewals import next_renewal
    from metrics.services.renewals import renewal_forecast_refresh

    account = facts.account("Contract")
    span = SubscriptionSpan.objects.create(
        subscription_id="c1",
        account=account,
        amount=100,
        interval="month",
        currency="USD",
        starts_on=date(2024, 3, 1),
        renews_on=date(2024, 6, 15),
        term="year",
    )
    facts.compute("2024-05-31", "2024-05-31")
    renewal_forecast_refresh()
    assert list(RenewalDue.objects.values_list("term_end", flat=True)) == [date(2024, 6, 15)]
    assert next_renewal([span], day=date(2024, 5, 31)) == (date(2024, 6, 15), span)


@pytest.mark.django_db
def test_the_months_between_two_dates_are_those_of_their_years_and_months() -> None:
    """keel_term_months (by date_part, accounts 0021) against the years and months counted in integers, for
    anchors on every 29th day of 1950 … 2100 and months from 1990 to 2060: never a month off."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*), count(*) FILTER (
                WHERE keel_term_months(a.day::date, m.month::date)
                      <> ((extract(year FROM m.month)::int - extract(year FROM a.day)::int) * 12
                          + extract(month FROM m.month)::int - extract(month FROM a.day)::int))
            FROM generate_series('1950-01-01'::date, '2100-12-31'::date, '29 days') AS a (day)
            CROSS JOIN generate_series('1990-01-01'::date, '2060-12-01'::date, '1 month') AS m (month)"""
        )
        tried, wrong = cursor.fetchone()
    assert tried > 1_500_000 and wrong == 0
