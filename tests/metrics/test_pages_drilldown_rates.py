"""The drill-downs of rates: NRR and GRR (12 months and monthly) list their cohort with MRR at both ends, whose sums
divide to the MonthlyKpi rate exactly; logo churn lists the starting customers (churned over starting); NPS 90d
lists its answers. The June 2024 book of tests/metrics/pages_book.py, worked by hand."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from accounts.models import Account
from accounts.numbers import ratio
from metrics.models import MonthlyKpi, Scope
from metrics.selectors.drilldown import MOVEMENTS, Group, drilldown
from metrics.selectors.nps_drilldown import nps_drilldown
from tests.metrics.pages_book import Book, element, june_book, table_rows
from tests.scenarios import Facts

RATES = ("nrr-12m", "grr-12m", "nrr-monthly", "grr-monthly", "logo-churn")


@pytest.fixture
def book(facts: Facts) -> Book:
    return june_book(facts)


def url(figure: str, month: str = "2024-06", **query: str) -> str:
    path = reverse("drilldown", args=[figure, month])
    return path + ("?" + "&".join(f"{key}={value}" for key, value in query.items()) if query else "")


@pytest.mark.parametrize(
    ("figure", "rows", "start", "counted", "rate"),
    [
        # The cohort paying at the end of June 2023: Anchor 100 and Elm 100 (Mar–Aug 2023); now 100 and 80.
        # NRR = (100 + 80) / (100 + 100) = 90.0%; GRR = (min(100, 100) + min(80, 100)) / 200 = 90.0%.
        (
            "nrr-12m",
            [["Anchor", "100.00", "100.00", "100.00"], ["Elm", "100.00", "80.00", "80.00"]],
            "200",
            "180",
            "90.0%",
        ),
        (
            "grr-12m",
            [["Anchor", "100.00", "100.00", "100.00"], ["Elm", "100.00", "80.00", "80.00"]],
            "200",
            "180",
            "90.0%",
        ),
        # Paying at the end of May: Fir 500, Birch 300, Cedar 200, Anchor 100 = 1,100; at the end of June 400, 450,
        # 0, 100 = 950 → 86.4%; GRR min(): 400 + 300 + 0 + 100 = 800 → 72.7%.
        (
            "nrr-monthly",
            [
                ["Birch", "300.00", "450.00", "450.00"],
                ["Fir", "500.00", "400.00", "400.00"],
                ["Anchor", "100.00", "100.00", "100.00"],
                ["Cedar", "200.00", "0.00", "0.00"],
            ],
            "1,100",
            "950",
            "86.4%",
        ),
        (
            "grr-monthly",
            [
                ["Fir", "500.00", "400.00", "400.00"],
                ["Birch", "300.00", "450.00", "300.00"],
                ["Anchor", "100.00", "100.00", "100.00"],
                ["Cedar", "200.00", "0.00", "0.00"],
            ],
            "1,100",
            "800",
            "72.7%",
        ),
    ],
)
def test_nrr_and_grr_list_their_cohort_and_divide_to_the_rate(
    client: Client, book: Book, figure: str, rows: list[list[str]], start: str, counted: str, rate: str
) -> None:
    client.force_login(book.vp)
    html = client.get(url(figure)).content.decode()
    assert [[row[0].split()[0], *row[-3:]] for row in table_rows(html, "drill-rows")] == rows
    assert element(html, "list-start") == f"${start}.00"
    assert element(html, "list-total") == f"${counted}.00"
    assert element(html, "figure-value") == element(html, "list-rate") == rate
    assert element(html, "division").startswith(f"${counted}.00 ÷ ${start}.00 = {rate}")
    assert element(html, "sum-start") == f"{start}.00" and element(html, "sum-counted") == f"{counted}.00"


def test_logo_churn_lists_the_starting_customers_and_the_churned(client: Client, book: Book) -> None:
    """Paying at the end of May: Anchor, Birch, Cedar, Fir; Cedar pays nothing at the end of June: 1 / 4 = 25.0%."""
    client.force_login(book.vp)
    html = client.get(url("logo-churn")).content.decode()
    rows = table_rows(html, "drill-rows")
    assert [(row[0].split()[0], row[-1]) for row in rows] == [
        ("Cedar", "Churned"),
        ("Anchor", "—"),
        ("Birch", "—"),
        ("Fir", "—"),
    ]
    assert element(html, "list-total") == "1" and element(html, "list-count").startswith("4")
    assert element(html, "figure-value") == element(html, "list-rate") == "25.0%"
    assert element(html, "division").startswith("1 ÷ 4 = 25.0%")


def _groups() -> list[Group]:
    groups = [Group(Scope.COMPANY)]
    for row in MonthlyKpi.objects.filter(scope__in=[Scope.CSM, Scope.SEGMENT]):
        if row.scope == Scope.CSM:
            groups.append(Group(Scope.CSM, csm_id=row.csm_id))
        else:
            groups.append(Group(Scope.SEGMENT, segment=row.segment))
    return list(dict.fromkeys(groups))


def test_every_rate_list_sums_to_its_monthly_kpi_numerator_and_denominator(book: Book) -> None:
    """For every month, group and rate: the list's Σ counted and Σ start (annualised, exact) are the MonthlyKpi
    row's numerator and denominator, so the division is the rate exactly, not only to the shown decimal."""
    Account.objects.filter(pk=book.accounts["Dune"].pk).update(segment=None)
    book.facts.compute("2024-06-30", "2024-06-30", today="2024-07-01")
    checked = 0
    for row in MonthlyKpi.objects.exclude(scope=Scope.CSM_SEGMENT):
        group = (
            Group(Scope.CSM, csm_id=row.csm_id)
            if row.scope == Scope.CSM
            else Group(Scope.SEGMENT, segment=row.segment)
            if row.scope == Scope.SEGMENT
            else Group(Scope.COMPANY)
        )
        parts = {
            "nrr-12m": (row.cohort_arr_now, row.cohort_arr_base),
            "grr-12m": (row.cohort_arr_kept, row.cohort_arr_base),
            "nrr-monthly": (
                row.arr_start + row.expansion_arr - row.contraction_arr - row.churned_arr,
                row.arr_start,
            ),
            "grr-monthly": (row.arr_start - row.contraction_arr - row.churned_arr, row.arr_start),
            "logo-churn": (row.churned_customers, row.customers_start),
        }
        for slug, (numerator, denominator) in parts.items():
            drill = drilldown(movement=MOVEMENTS[slug], month=row.month, group=group, viewer=book.vp)
            key = (row.month, group, slug)
            if slug == "logo-churn":
                assert (drill.total, drill.count) == (numerator, denominator), key
            else:
                assert (drill.total_arr or 0, drill.total_start_arr or 0) == (numerator, denominator), key
            expected = drill.figure_value
            assert (None if drill.rate is None else float(drill.rate)) == expected, key
            assert drill.rate == ratio(numerator, denominator), key
            checked += 1
    assert checked >= 5 * len(_groups())


def test_nps_lists_every_answer_of_the_90_days(client: Client, book: Book) -> None:
    """Cedar's answers of June 12 (Bob's account at the end of June): 10 and 9 promoters, 3 a detractor:
    100 × (2 − 1) / 3 = 33.3; one with a contact and a comment."""
    cedar = book.accounts["Cedar"]
    contact = book.facts.contact(cedar)
    answer = book.facts.response(cedar, "nps", 8, "2024-05-20T08:00:00Z", contact=contact)
    type(answer).objects.filter(pk=answer.pk).update(comment="Fine, slow support")
    book.facts.compute("2024-06-30", "2024-06-30", today="2024-07-01")
    client.force_login(book.vp)
    html = client.get(url("nps-90d")).content.decode()
    # 10, 9 promoters, 8 passive, 3 detractor: 100 × (2 − 1) / 4 = 25.0
    assert (element(html, "promoters"), element(html, "passives"), element(html, "detractors")) == (
        "2",
        "1",
        "1",
    )
    assert element(html, "figure-value") == element(html, "list-rate") == "25.0"
    assert element(html, "division").startswith("100 × (2 − 1) ÷ 4 = 25.0")
    rows = table_rows(html, "drill-rows")
    assert sorted(row[1] for row in rows) == ["10", "3", "8", "9"]
    assert ["20 May 2024", "8", contact.email, "Cedar", "Fine, slow support"] in rows
    bob = client.get(url("nps-90d", csm=str(book.bob.pk))).content.decode()
    assert element(bob, "list-count").endswith("4")
    alice = client.get(url("nps-90d", csm=str(book.alice.pk))).content.decode()
    assert element(alice, "list-count").endswith("0") and "No NPS answer in these 90 days." in alice


def test_nps_counts_match_the_monthly_kpi_for_every_group(book: Book) -> None:
    for row in MonthlyKpi.objects.filter(scope__in=[Scope.COMPANY, Scope.CSM, Scope.SEGMENT]):
        group = (
            Group(Scope.CSM, csm_id=row.csm_id)
            if row.scope == Scope.CSM
            else Group(Scope.SEGMENT, segment=row.segment)
            if row.scope == Scope.SEGMENT
            else Group(Scope.COMPANY)
        )
        drill = nps_drilldown(month=row.month, group=group, viewer=book.vp)
        assert (drill.count, drill.promoters, drill.detractors) == (
            row.nps_responses_90d,
            row.nps_promoters_90d,
            row.nps_detractors_90d,
        ), (row.month, group)
        assert drill.nps == ratio(
            100 * (row.nps_promoters_90d - row.nps_detractors_90d), row.nps_responses_90d
        )


def test_a_csm_sees_their_book_and_not_who_answered_in_accounts_now_owned_by_others(
    client: Client, book: Book
) -> None:
    """Cedar was Bob's at the end of June and is Alice's now: Bob's lists keep its numbers without its name."""
    Account.objects.filter(pk=book.accounts["Cedar"].pk).update(csm=book.alice)
    client.force_login(book.bob)
    html = client.get(url("nps-90d", csm=str(book.bob.pk))).content.decode()
    assert "Cedar" not in html and html.count("An account now in another CSM’s book") == 3
    html = client.get(url("logo-churn", csm=str(book.bob.pk))).content.decode()
    assert "Cedar" not in html and element(html, "list-rate") == element(html, "figure-value")
    for figure in (*RATES, "nps-90d"):
        assert client.get(url(figure)).status_code == 403
        assert client.get(url(figure, csm=str(book.alice.pk))).status_code == 404


@pytest.mark.parametrize("figure", [*RATES, "nps-90d"])
def test_query_count(
    client: Client, book: Book, django_assert_max_num_queries: DjangoAssertNumQueries, figure: str
) -> None:
    """session + user + the MonthlyKpi row + is the start computed + the list (one statement) [+ the CSM];
    NPS: the row, the counts, the page of answers."""
    client.force_login(book.vp)
    with django_assert_max_num_queries(5):
        assert client.get(url(figure)).status_code == 200
    with django_assert_max_num_queries(6):
        assert client.get(url(figure, csm=str(book.bob.pk))).status_code == 200


def test_the_rate_tiles_open_their_drill_downs(client: Client, book: Book) -> None:
    client.force_login(book.vp)
    html = client.get(reverse("company_dashboard")).content.decode()
    for figure in ("nrr-12m", "grr-12m", "logo-churn", "nps-90d", "nrr-monthly", "grr-monthly"):
        assert f'href="{url(figure)}"' in html, figure
