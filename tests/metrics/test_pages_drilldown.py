"""The drill-down (/dashboard/drilldown/<figure>/<month>/): the accounts behind a figure of the MRR bridge, the
customers or the at-risk ARR, whose amounts add up to the MonthlyKpi number, for the company, a CSM and a segment."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from accounts.models import Account
from metrics.models import MonthlyKpi, Scope
from metrics.selectors.drilldown import _START_STORED, MOVEMENTS, Group, drilldown
from tests.metrics.pages_book import Book, element, june_book, table_rows
from tests.scenarios import Facts

CENT = Decimal("0.01")


@pytest.fixture
def book(facts: Facts) -> Book:
    return june_book(facts)


def url(figure: str, month: str = "2024-06", **query: str) -> str:
    path = reverse("drilldown", args=[figure, month])
    return path + ("?" + "&".join(f"{key}={value}" for key, value in query.items()) if query else "")


@pytest.mark.parametrize(
    ("figure", "expected", "total"),
    [
        ("new", [["Dune", "0.00", "150.00", "150.00"]], "150.00"),
        ("reactivation", [["Elm", "0.00", "80.00", "80.00"]], "80.00"),
        ("expansion", [["Birch", "300.00", "450.00", "150.00"]], "150.00"),
        ("contraction", [["Fir", "500.00", "400.00", "100.00"]], "100.00"),
        ("churned", [["Cedar", "200.00", "0.00", "200.00"]], "200.00"),
        (
            "customers",
            [
                ["Birch", "300.00", "450.00", "450.00"],
                ["Fir", "500.00", "400.00", "400.00"],
                ["Dune", "0.00", "150.00", "150.00"],
                ["Anchor", "100.00", "100.00", "100.00"],
                ["Elm", "0.00", "80.00", "80.00"],
            ],
            "1,180.00",
        ),
    ],
)
def test_each_movement_lists_its_accounts_and_adds_up(
    client: Client, book: Book, figure: str, expected: list[list[str]], total: str
) -> None:
    """June 2024 by hand (pages_book.py): start and end MRR, the account's part, largest first."""
    client.force_login(book.vp)
    html = client.get(url(figure)).content.decode()
    rows = table_rows(html, "drill-rows")
    assert [[row[0].split()[0], *row[-3:]] for row in rows] == expected
    assert element(html, "figure-value") == total
    assert element(html, "list-total") == total
    assert element(html, "list-count") == str(len(expected))


def test_at_risk_arr_lists_the_accounts_at_risk_with_their_arr(client: Client, book: Book) -> None:
    """Every paying account but Anchor (green) is red on June 30: ARR 5,400 + 4,800 + 1,800 + 960 = 12,960."""
    client.force_login(book.vp)
    html = client.get(url("at-risk")).content.decode()
    assert [(row[0].split()[0], row[-1]) for row in table_rows(html, "drill-rows")] == [
        ("Birch", "5,400.00"),
        ("Fir", "4,800.00"),
        ("Dune", "1,800.00"),
        ("Elm", "960.00"),
    ]
    assert element(html, "figure-value") == element(html, "list-total") == "12,960.00"


def test_a_csm_and_a_segment_list_their_part(client: Client, book: Book) -> None:
    client.force_login(book.vp)
    html = client.get(url("customers", csm=str(book.bob.pk))).content.decode()
    assert [row[0].split()[0] for row in table_rows(html, "drill-rows")] == ["Fir", "Dune"]
    assert element(html, "list-total") == element(html, "figure-value") == "550.00"
    html = client.get(url("churned", segment="smb")).content.decode()
    assert element(html, "list-total") == element(html, "figure-value") == "200.00"


def _groups() -> list[Group]:
    groups = [Group(Scope.COMPANY)]
    for row in MonthlyKpi.objects.exclude(scope=Scope.COMPANY).exclude(scope=Scope.CSM_SEGMENT):
        if row.scope == Scope.CSM:
            groups.append(Group(Scope.CSM, csm_id=row.csm_id))
        else:
            groups.append(Group(Scope.SEGMENT, segment=row.segment))
    return list(dict.fromkeys(groups))


def test_the_lists_add_up_to_every_monthly_kpi_figure(book: Book) -> None:
    """For every month, group and figure: Σ of the exact amounts, divided by 12 once and rounded once, is the
    MonthlyKpi number, and the rows are its count. May reads the end of April from the spans (never computed)."""
    Account.objects.filter(pk=book.accounts["Dune"].pk).update(segment=None)  # a "no segment" group too
    book.facts.compute("2024-06-30", "2024-06-30", today="2024-07-01")
    checked = 0
    for month in MonthlyKpi.objects.filter(scope=Scope.COMPANY).values_list("month", flat=True):
        for group in _groups():
            for movement in (movement for movement in MOVEMENTS.values() if not movement.rate):
                try:
                    drill = drilldown(movement=movement, month=month, group=group, viewer=book.vp)
                except LookupError:
                    continue  # this group has no row in that month
                value = Decimal(drill.figure_value)
                assert drill.total.quantize(CENT, rounding=ROUND_HALF_UP) == value, (
                    month,
                    group,
                    movement.slug,
                )
                if drill.figure_count is not None:
                    assert drill.count == drill.figure_count, (month, group, movement.slug)
                checked += 1
    assert checked > 60


def test_a_csm_sees_their_own_book_without_names_of_accounts_now_owned_by_others(
    client: Client, book: Book
) -> None:
    """Birch was Alice's at the end of June and is Bob's now: Alice's June list keeps its amount, not its name."""
    birch = book.accounts["Birch"]
    Account.objects.filter(pk=birch.pk).update(csm=book.bob)
    client.force_login(book.alice)
    html = client.get(url("customers", csm=str(book.alice.pk))).content.decode()
    assert "Birch" not in html
    assert "An account now in another CSM’s book" in html
    assert element(html, "list-total") == element(html, "figure-value") == "630.00"


@pytest.mark.parametrize(
    ("query", "status"),
    [({}, 403), ({"segment": "smb"}, 403), ({"csm": "none"}, 403), ({"csm": "x"}, 404)],
)
def test_a_csm_opens_only_their_own_book(
    client: Client, book: Book, query: dict[str, str], status: int
) -> None:
    client.force_login(book.alice)
    assert client.get(url("new", **query)).status_code == status
    assert client.get(url("new", csm=str(book.bob.pk))).status_code == 404
    assert client.get(url("new", csm=str(book.alice.pk))).status_code == 200


def test_unknown_figures_and_months_are_404(client: Client, book: Book) -> None:
    client.force_login(book.vp)
    assert client.get(url("nothing")).status_code == 404
    assert client.get(url("new", month="2024-13")).status_code == 404


def test_customers_read_the_start_of_a_page_from_the_spans_when_it_was_never_computed(
    client: Client, book: Book
) -> None:
    """May 2024: the end of April was never computed, so each row's MRR at the start is its spans' on April 30
    (the customers list reads it for the rows of the page only)."""
    client.force_login(book.vp)
    rows = table_rows(client.get(url("customers", month="2024-05")).content.decode(), "drill-rows")
    assert [[row[0].split()[0], *row[-3:]] for row in rows] == [
        ["Fir", "500.00", "500.00", "500.00"],
        ["Birch", "300.00", "300.00", "300.00"],
        ["Cedar", "200.00", "200.00", "200.00"],
        ["Anchor", "100.00", "100.00", "100.00"],
    ]


def test_month_ends_are_read_from_their_index(book: Book) -> None:
    """The drill-down repeats the condition of the index account_day_month_end; were the two to differ, the
    lists would still be right but read from the wide rows (several times slower at 100k accounts)."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + _START_STORED, {"start": date(2024, 5, 31)})
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Only Scan using account_day_month_end" in plan, plan


def test_a_month_without_a_snapshot_says_how_to_compute_it(client: Client, book: Book) -> None:
    client.force_login(book.vp)
    html = client.get(url("new", month="2023-02")).content.decode()
    assert "No snapshot for Feb 2023" in html
    assert "An admin can compute it from this page" in html and "manage.py" not in html


def test_pages_of_a_long_list_keep_the_total_of_all(
    client: Client, book: Book, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("metrics.selectors.drilldown.PER_PAGE", 2)
    client.force_login(book.vp)
    first = client.get(url("customers")).content.decode()
    third = client.get(url("customers", page="3")).content.decode()
    assert [row[0].split()[0] for row in table_rows(first, "drill-rows")] == ["Birch", "Fir"]
    assert [row[0].split()[0] for row in table_rows(third, "drill-rows")] == ["Elm"]
    assert element(first, "list-total") == element(third, "list-total") == "1,180.00"
    assert "Page 3 of 3" in third
    assert table_rows(client.get(url("customers", page="9")).content.decode(), "drill-rows")[0][0].startswith(
        "Birch"
    )


def test_query_count(
    client: Client, book: Book, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    """session + user + the MonthlyKpi row + is m−1 computed + the list (one statement) [+ the CSM's name]."""
    client.force_login(book.vp)
    with django_assert_max_num_queries(5):
        assert client.get(url("customers")).status_code == 200
    with django_assert_max_num_queries(6):
        assert client.get(url("churned", csm=str(book.bob.pk))).status_code == 200
