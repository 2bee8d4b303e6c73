"""A CSM's dashboard (/dashboard/csm/ and /dashboard/csm/<id>/): their book's tiles and trends (MonthlyKpi scope
csm), accounts at risk with the reason in words, renewals in the next 90 days, open tasks; and who may open it."""

from __future__ import annotations

import calendar
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from pytest_django import DjangoAssertNumQueries

from accounts.models import Role, User
from health.models import Task
from metrics.selectors.renewals import Renewal
from metrics.templatetags.dashboard_tags import renewal_rows
from tests.metrics.pages_book import Book, element, june_book, table_rows, text, tile, tile_exact
from tests.scenarios import Facts, slipping_account

MINE = reverse("my_dashboard")


@pytest.fixture
def book(facts: Facts) -> Book:
    return june_book(facts)


def test_a_csm_sees_their_books_figures(client: Client, book: Book) -> None:
    """Alice in June 2024: Anchor 100 + Birch 450 + Elm 80 = 630.00 (May: Anchor 100 + Birch 300 = 400.00, so
    +230.00); 3 customers (+1); at risk Birch and Elm, 12 × 530 = 6,360.00 (May: Birch only, no usage yet for
    Anchor either: 12 × 400 = 4,800.00 → +1,560.00); average health (100 + 38.46 + 27.27) / 3 = 55.2."""
    client.force_login(book.alice)
    response = client.get(MINE)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>My book</h1>" in html
    assert tile(html, "mrr") == ("$630", "▲ +$230 vs May 2024")
    assert tile_exact(html, "mrr") == ("$630.00", "▲ +$230.00 vs May 2024")
    assert tile(html, "customers") == ("3", "▲ +1 vs May 2024")
    assert tile(html, "at_risk_arr") == ("$6,360", "▲ +$1,560 vs May 2024")
    assert tile_exact(html, "at_risk_arr") == ("$6,360.00", "▲ +$1,560.00 vs May 2024")
    assert tile(html, "average_health")[0] == "55.2"
    assert tile(html, "nrr_12m")[0] == "90.0%"
    june = table_rows(html, "bridge")[0]
    assert june[:4] == ["Jun 2024", "400.00", "0.00 0 accounts", "80.00 1 account"]
    assert f"/dashboard/drilldown/expansion/2024-06/?csm={book.alice.pk}" in html
    for name in ("Cedar", "Dune", "Fir"):  # Bob's accounts
        assert f">{name}<" not in html and f"{name} " not in html


def test_accounts_at_risk_with_the_reason_in_words(client: Client, book: Book) -> None:
    """On June 30 Birch (38.46: activity and recency 0, support and revenue 100) and Elm (27.27) are red;
    most ARR first, each with the explanation's reason."""
    client.force_login(book.alice)
    html = client.get(MINE).content.decode()
    section = html[html.index('id="at-risk"') : html.index('id="open-tasks"')]
    assert "2 · as of 30 Jun 2024" in text(section)
    items = [text(item) for item in section.split("<li>")[1:]]
    assert items[0].startswith("Birch 38.5 $450.00/mo Red: the score 38.5 is below 40.")
    assert items[1].startswith("Elm 27.3 $80.00/mo Red: the score 27.3 is below 40.")
    assert "Anchor" not in section


def test_an_account_at_risk_by_a_fall_says_how_far_it_fell(
    client: Client, facts: Facts, csm: User, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    """Not red, at risk by its fall: 100.0 on D−30, 65.4 (yellow) on D, as tests/scenarios.slipping_account works
    out by hand. The reason reads the row of D−30 beside today's, in the same query as the list: 8 in all (session,
    user, the months computed, their KPIs, the accounts at risk, the tasks and their count, the renewals)."""
    slipping_account(facts, csm=csm)
    client.force_login(csm)
    with django_assert_max_num_queries(8):
        html = client.get(MINE).content.decode()
    section = html[html.index('id="at-risk"') : html.index('id="open-tasks"')]
    assert [text(item.split("</li>")[0]) for item in section.split("<li>")[1:]] == [
        "SLIPPING 65.4 $100.00/mo The score fell 34.6 points in 30 days (from 100.0 to 65.4); a fall of 15 or "
        "more is at risk."
    ]


def test_open_tasks(client: Client, book: Book) -> None:
    birch, elm = book.accounts["Birch"], book.accounts["Elm"]
    Task.objects.create(
        account=birch, assignee=book.alice, kind="at_risk", title="Call Birch", due_on=date(2024, 7, 3)
    )
    Task.objects.create(
        account=elm, assignee=book.alice, kind="at_risk", title="Call Elm", due_on=date(2024, 7, 1)
    )
    Task.objects.create(
        account=elm, assignee=book.bob, kind="at_risk", title="Bob's task", due_on=date(2024, 7, 1)
    )
    closed = Task.objects.create(
        account=elm, assignee=book.alice, kind="at_risk", title="Done", due_on=date(2024, 6, 1)
    )
    Task.objects.filter(pk=closed.pk).update(closed_at=timezone.now())
    client.force_login(book.alice)
    section = element(client.get(MINE).content.decode(), "open-tasks")
    assert section.startswith("Open tasks 2")
    assert section.index("Call Elm") < section.index("Call Birch")  # soonest due first
    assert "Bob's task" not in section and "Done" not in section


def _in_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def test_renewals_in_the_next_90_days(client: Client, facts: Facts, csm: User, other_csm: User) -> None:
    """Term ends from tomorrow to today + 90 of the spans active today (METRICS.md `renewals_due`), relative to
    the real today:

    - Yearly: started a year before R = today + 30 days → renews on R, ARR 12,000.00
    - Quarterly: $300 a quarter from two quarters before Q (the 15th of next month) → Q, ARR 1,200.00; the
      quarter after is more than 90 days away
    - Ending: yearly, ends exactly on R → still active on R − 1, so due on R
    - Stopping: yearly, ends 5 days before R → not due; Monthly: monthly billing never renews
    - Theirs: another CSM's account, not in this book
    """
    today = timezone.localdate()
    renew = today + timedelta(days=30)
    if renew.month == 2 and renew.day == 29:
        renew += timedelta(days=1)
    quarter = _in_months(today.replace(day=15), 1)
    year_before = renew.replace(year=renew.year - 1).isoformat()
    facts.span(facts.account("Yearly", csm=csm), "12000.00", "year", year_before)
    facts.span(facts.account("Quarterly", csm=csm), "300.00", "quarter", _in_months(quarter, -6).isoformat())
    facts.span(facts.account("Ending", csm=csm), "2400.00", "year", year_before, renew.isoformat())
    facts.span(
        facts.account("Stopping", csm=csm),
        "2400.00",
        "year",
        year_before,
        (renew - timedelta(days=5)).isoformat(),
    )
    facts.span(facts.account("Monthly", csm=csm), "99.00", "month", year_before)
    facts.span(facts.account("Theirs", csm=other_csm), "5000.00", "year", year_before)
    client.force_login(csm)
    rows = table_rows(client.get(MINE).content.decode(), "renewals")
    expected = [
        (date_format(day), name, arr)
        for day, name, arr in sorted(
            [
                (renew, "Yearly", "12,000.00"),
                (quarter, "Quarterly", "1,200.00"),
                (renew, "Ending", "2,400.00"),
            ]
        )
    ]
    assert [(row[0], row[1], row[4]) for row in rows] == expected


def test_renewal_rows_escape_names_and_show_health() -> None:
    """The rows rendered in Python (dashboard_tags.renewal_rows) escape what a user typed, link the account to its
    page and show its health today: the score with its status and at-risk badge, or a dash when not scored."""
    acme = Renewal(
        account_id=7,
        account_name="<b>Acme</b>",
        subscription_id="sub_<1>",
        interval="Yearly",
        on=date(2026, 1, 2),
        arr=Decimal("1200"),
        score=55.2,
        status="yellow",
        at_risk=True,
    )
    zed = replace(
        acme, account_id=8, account_name="Zed & co", arr=Decimal("300.005"), score=None, at_risk=False
    )
    html = renewal_rows([acme, zed])
    assert "&lt;b&gt;Acme&lt;/b&gt;" in html and "sub_&lt;1&gt;" in html and "<b>" not in html
    assert f'<a href="{reverse("account_detail", args=[7])}">' in html and "Zed &amp; co" in html
    assert '<td class="nowrap">2 Jan 2026</td>' in html and "1,200.00" in html and "300.01" in html
    assert (
        '<span class="health-chip health-chip--yellow">55.2</span> <span class="badge badge--danger">At risk</span>'
    ) in html
    assert '<td class="num"><span class="muted">—</span></td></tr>' in html


def test_a_vp_opens_any_csms_dashboard_a_csm_only_their_own(client: Client, book: Book) -> None:
    alice_url = reverse("csm_dashboard", args=[book.alice.pk])
    bob_url = reverse("csm_dashboard", args=[book.bob.pk])
    client.force_login(book.vp)
    html = client.get(alice_url).content.decode()
    assert "<h1>Alice Owner</h1>" in html and tile(html, "mrr")[0] == "$630"
    assert client.get(reverse("csm_dashboard", args=[99999])).status_code == 404
    client.force_login(book.alice)
    assert client.get(alice_url).status_code == 200
    assert client.get(bob_url).status_code == 404


def test_a_vp_gets_the_list_of_csm_dashboards(client: Client, book: Book) -> None:
    client.force_login(book.vp)
    html = client.get(MINE).content.decode()
    assert [row[:3] for row in table_rows(html, "csms")] == [
        ["Alice Owner", "3", "630.00"],
        ["Bob Other", "2", "550.00"],
    ]


def test_a_new_csm_without_a_snapshot_row_gets_zeros(client: Client, book: Book, make_user: object) -> None:
    newcomer = User.objects.create_user("new@keel.test", "x", name="New Person", role=Role.CSM)
    client.force_login(newcomer)
    html = client.get(MINE).content.decode()
    assert tile(html, "mrr")[0] == "$0"
    assert "No account at risk" in html


def test_query_count_does_not_grow_with_the_book(
    client: Client, book: Book, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    """session + user + the nav's open tasks + computed months + KPI rows + accounts at risk + their rows today
    + their rows 30 days before + open tasks + renewals."""
    client.force_login(book.alice)
    with django_assert_max_num_queries(10):
        assert client.get(MINE).status_code == 200
    for number in range(30):
        account = book.facts.account(f"More {number}", csm=book.alice)
        book.facts.span(account, "10.00", "year", "2024-02-01")
        Task.objects.create(
            account=account, assignee=book.alice, kind="at_risk", title="t", due_on=date(2024, 7, 1)
        )
    book.facts.compute("2024-06-01", "2024-06-30", today="2024-07-01")
    with django_assert_max_num_queries(12):
        html = client.get(MINE).content.decode()
    assert "More 29" in html or "More 0" in html  # at risk (no usage) and listed


def test_the_list_of_csm_dashboards_costs_a_constant_number_of_queries(
    client: Client, book: Book, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    """session + user + computed months + the company's KPI rows + those of the last month (one per CSM and
    segment)."""
    client.force_login(book.vp)
    with django_assert_max_num_queries(5):
        assert client.get(MINE).status_code == 200
    for number in range(20):
        User.objects.create_user(f"csm{number}@keel.test", "x", name=f"CSM {number:02d}", role=Role.CSM)
    book.facts.compute("2024-06-30", "2024-06-30", today="2024-07-01")
    with django_assert_max_num_queries(5):
        html = client.get(MINE).content.decode()
    assert len(table_rows(html, "csms")) == 22


def test_a_csms_book_shows_its_other_kpis_without_company_only_ones(client: Client, book: Book) -> None:
    """Alice in June 2024: ARPA 630 / 3 = $210; her monthly NRR: Anchor 100 + Birch 450 over the 400 they paid at
    the end of May = 137.5%; DAU/MAU: Anchor's u1 every day of June, 30 / 30 / 1 = 100.0%. CAC is company-wide
    (METRICS.md `cac`): no CAC, LTV:CAC or payback tiles in a book."""
    client.force_login(book.alice)
    html = client.get(MINE).content.decode()
    assert tile(html, "arpa")[0] == "$210"
    assert tile(html, "nrr_monthly")[0] == "137.5%"
    assert tile(html, "stickiness")[0] == "100.0%"
    assert f'href="{reverse("drilldown", args=["nrr-monthly", "2024-06"])}?csm={book.alice.pk}"' in html
    for key in ("cac", "ltv_to_cac", "cac_payback_months"):
        assert f'id="tile-{key}"' not in html
