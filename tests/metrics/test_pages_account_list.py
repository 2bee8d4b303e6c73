"""The account list (/accounts/: search, filters, sorts, pages, CSV export), the home page and the navigation."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django import forms
from django.http import HttpResponseBase
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from accounts.models import Account, Role, User
from accounts.selectors import with_current_mrr
from metrics.forms import QuickSelect
from metrics.models import AccountCurrent
from metrics.selectors.account_list import EXPORT_HEADER, SNAPSHOT_SORTS, AccountPages, account_list
from tests.factories import AccountFactory, SubscriptionSpanFactory

LIST = reverse("account_list")
SNAPSHOT_DAY = date(2024, 6, 30)


def rows(response: HttpResponseBase) -> list[tuple[str, str]]:
    """(name, MRR) of every row of the accounts table, in page order."""
    html = response.content.decode()  # type: ignore[attr-defined]
    found = re.findall(
        r'<a href="/accounts/\d+/">([^<]+)</a>.*?<td class="num" data-column="mrr">(.*?)</td>', html, re.S
    )
    return [(name, re.sub(r"<[^>]+>", "", mrr).strip()) for name, mrr in found]


def names(response: HttpResponseBase) -> list[str]:
    return [name for name, _ in rows(response)]


def current(account: Account, arr: str = "0", **fields: Any) -> AccountCurrent:
    """The account's row of the latest snapshot, as the pipeline writes it (metrics/sql/current_accounts.sql)."""
    return AccountCurrent.objects.create(account=account, day=SNAPSHOT_DAY, arr=Decimal(arr), **fields)


@pytest.fixture
def book(csm: User) -> dict[str, Account]:
    """Accounts of `csm` with spans whose MRR today is worked out by hand in the test below."""
    today = timezone.localdate()
    yesterday, tomorrow = today - timedelta(days=1), today + timedelta(days=1)
    a = {
        name: AccountFactory.create(name=name, csm=csm)
        for name in ("Acme", "Birch", "Cobalt", "Dune", "Ember", "Fjord")
    }
    SubscriptionSpanFactory(
        account=a["Acme"], interval="year", amount="2000.00", starts_on=today - timedelta(400)
    )
    SubscriptionSpanFactory(account=a["Birch"], interval="quarter", amount="300.00", starts_on=today)
    SubscriptionSpanFactory(account=a["Cobalt"], interval="month", amount="49.99")
    SubscriptionSpanFactory(account=a["Cobalt"], interval="year", amount="1200.00")
    # an upgrade: the old span ended today (not active today), the new one starts today
    SubscriptionSpanFactory(
        account=a["Dune"],
        subscription_id="sub_dune",
        amount="100.00",
        starts_on=today - timedelta(90),
        ends_on=today,
    )
    SubscriptionSpanFactory(account=a["Dune"], subscription_id="sub_dune", amount="150.00", starts_on=today)
    SubscriptionSpanFactory(
        account=a["Ember"], amount="500.00", starts_on=today - timedelta(60), ends_on=yesterday
    )
    SubscriptionSpanFactory(account=a["Ember"], amount="700.00", starts_on=tomorrow)
    SubscriptionSpanFactory(account=a["Fjord"], amount="0.0050")
    return a


def test_the_list_shows_mrr_from_the_latest_snapshot_worked_by_hand(client: Client, csm: User) -> None:
    """MRR = the snapshot's ARR / 12, rounded once to the cent, half up:

    - Acme: ARR 2,000 → 166.666… → 166.67
    - Birch: ARR 1,799.88 → 149.99
    - Fjord: ARR 0.06 → 0.005 → 0.01 (banker's rounding would give 0.00)
    - Ember: ARR 0 (no longer paying) → 0.00; Newco: no snapshot yet (imported since the last run) → —
    """
    for name, arr in (("Acme", "2000"), ("Birch", "1799.88"), ("Fjord", "0.06"), ("Ember", "0")):
        current(AccountFactory.create(name=name, csm=csm), arr)
    AccountFactory.create(name="Newco", csm=csm)
    client.force_login(csm)
    response = client.get(LIST)
    assert rows(response) == [
        ("Acme", "166.67"),
        ("Birch", "149.99"),
        ("Ember", "0.00"),
        ("Fjord", "0.01"),
        ("Newco", "—"),
    ]
    assert "as of 30 Jun 2024 (latest snapshot)" in response.content.decode()


def test_the_list_shows_usage_and_health(client: Client, csm: User) -> None:
    account = AccountFactory.create(name="Acme", csm=csm)
    current(account, "1200", mau=17, score=38.25, status="red", at_risk=True, score_change_30d=-21.44)
    client.force_login(csm)
    html = client.get(LIST).content.decode()
    assert '<td class="num hide-sm" data-column="mau">17</td>' in html
    assert '<span class="health-chip health-chip--red" title="Red">38.3</span>' in html  # 38.25 half up
    assert '<span class="points--down">−21.4</span>' in html
    assert '<span class="badge badge--danger">At risk</span>' in html


def test_current_mrr_is_exact_until_shown(csm: User, book: dict[str, Account]) -> None:
    """The annotation is not rounded: $2,000/year → 166.666…, rounded only by the template."""
    acme: Any = with_current_mrr(Account.objects.filter(pk=book["Acme"].pk)).get()
    assert acme.current_mrr.quantize(Decimal("0.000001")) == Decimal("166.666667")


def test_money_shows_thousands(client: Client, csm: User) -> None:
    """ARR 150,000 → 12,500.00."""
    current(AccountFactory.create(name="Big", csm=csm), "150000")
    client.force_login(csm)
    assert rows(client.get(LIST)) == [("Big", "12,500.00")]


def test_list_is_ordered_by_name_whatever_the_case(client: Client, vp: User) -> None:
    for name in ("charlie", "Bravo", "alpha", "Delta"):
        AccountFactory(name=name)
    client.force_login(vp)
    assert [name for name, _ in rows(client.get(LIST))] == ["alpha", "Bravo", "charlie", "Delta"]


def test_list_shows_the_columns(client: Client, csm: User, vp: User, own_account: Account) -> None:
    """A CSM's list leaves out the CSM column (it would be their own name on every row)."""
    client.force_login(vp)
    html = client.get(LIST).content.decode()
    for text in ("Harbor Lights Inc", "ACC-OWN-1", "smb", '<td class="hide-sm">Alice Owner</td>'):
        assert text in html
    assert f'href="/accounts/{own_account.pk}/"' in html
    client.force_login(csm)
    html = client.get(LIST).content.decode()
    assert "Harbor Lights Inc" in html
    assert ">CSM</th>" not in html


@pytest.fixture
def base(csm: User, other_csm: User) -> None:
    AccountFactory(name="Northwind Traders", external_id="CRM-0042", segment="enterprise", csm=csm)
    AccountFactory(name="Northbound Logistics", external_id="CRM-0043", segment="smb", csm=other_csm)
    AccountFactory(name="Southwind Co", external_id="XYZ-1", segment="smb", csm=csm)
    AccountFactory(name="Orphan Ltd", external_id="ORPH-1", segment="smb", csm=None)


@pytest.mark.usefixtures("base")
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["Northbound Logistics", "Northwind Traders", "Orphan Ltd", "Southwind Co"]),
        ({"q": "north"}, ["Northbound Logistics", "Northwind Traders"]),
        ({"q": "WIND"}, ["Northwind Traders", "Southwind Co"]),
        ({"q": "crm-004"}, ["Northbound Logistics", "Northwind Traders"]),
        ({"q": "  xyz-1 "}, ["Southwind Co"]),
        ({"q": "nothing like it"}, []),
        ({"segment": "smb"}, ["Northbound Logistics", "Orphan Ltd", "Southwind Co"]),
        ({"segment": "smb", "q": "wind"}, ["Southwind Co"]),
        ({"csm": "none"}, ["Orphan Ltd"]),
        (
            {"segment": "no-such-segment"},
            ["Northbound Logistics", "Northwind Traders", "Orphan Ltd", "Southwind Co"],
        ),
        (
            {"csm": "not-a-number"},
            ["Northbound Logistics", "Northwind Traders", "Orphan Ltd", "Southwind Co"],
        ),
    ],
)
def test_search_and_filters_for_a_vp(
    client: Client, vp: User, query: dict[str, str], expected: list[str]
) -> None:
    client.force_login(vp)
    response = client.get(LIST, query)
    assert response.status_code == 200
    assert [name for name, _ in rows(response)] == expected


@pytest.mark.usefixtures("base")
def test_csm_filter_for_a_vp(client: Client, vp: User, other_csm: User) -> None:
    client.force_login(vp)
    response = client.get(LIST, {"csm": other_csm.pk})
    assert [name for name, _ in rows(response)] == ["Northbound Logistics"]
    assert f'<option value="{other_csm.pk}" selected>Bob Other</option>' in response.content.decode()


@pytest.mark.usefixtures("base")
def test_a_csm_searches_only_their_own_book(client: Client, csm: User, other_csm: User) -> None:
    client.force_login(csm)
    assert [name for name, _ in rows(client.get(LIST, {"q": "north"}))] == ["Northwind Traders"]
    assert [name for name, _ in rows(client.get(LIST, {"segment": "smb"}))] == ["Southwind Co"]
    # the CSM filter is not offered to a CSM, and asking for another CSM changes nothing
    response = client.get(LIST, {"csm": other_csm.pk})
    assert [name for name, _ in rows(response)] == ["Northwind Traders", "Southwind Co"]
    assert 'name="csm"' not in response.content.decode()


@pytest.mark.usefixtures("base")
def test_segment_filter_offers_the_segments_the_user_can_see(client: Client, csm: User, vp: User) -> None:
    client.force_login(csm)
    html = client.get(LIST).content.decode()
    assert '<option value="enterprise">' in html
    assert '<option value="smb">' in html
    client.force_login(vp)
    assert '<option value="none">No CSM</option>' in client.get(LIST).content.decode()


def test_pagination_50_per_page_keeps_the_search(client: Client, vp: User) -> None:
    for n in range(60, 0, -1):
        AccountFactory(name=f"Lake {n:02d}")
    AccountFactory(name="Zulu Other")
    client.force_login(vp)
    first = client.get(LIST, {"q": "lake"})
    assert len(rows(first)) == 50
    html = first.content.decode()
    assert "Page 1 of 2" in html
    assert "60 accounts found" in html
    assert 'href="?q=lake&amp;page=2"' in html
    second = client.get(LIST, {"q": "lake", "page": "2"})
    names = [name for name, _ in rows(second)]
    assert names == [f"Lake {n:02d}" for n in range(51, 61)]
    assert rows(client.get(LIST, {"q": "lake", "page": "99"})) == rows(second)  # past the end: the last page
    assert len(rows(client.get(LIST, {"q": "lake", "page": "x"}))) == 50  # not a number: first page


@pytest.mark.parametrize(("role", "max_queries"), [("csm", 6), ("vp", 6)])
def test_list_query_count_does_not_grow_with_accounts(
    client: Client,
    django_assert_max_num_queries: DjangoAssertNumQueries,
    make_user: Callable[..., User],
    role: str,
    max_queries: int,
) -> None:
    """session + user + segments (+ CSMs for a VP | + the nav's open tasks for a CSM) + count + one page of rows
    with their CSM and snapshot row (joins)."""
    user = make_user(f"{role}-counted@keel.test", role)
    owner = user if role == Role.CSM else make_user("owner@keel.test")
    client.force_login(user)
    for total in (5, 60):
        while Account.objects.count() < total:
            account = AccountFactory.create(csm=owner, segment=f"segment-{Account.objects.count() % 4}")
            current(account, "1200", score=50.0, status="yellow", score_change_30d=-3.0)
        with django_assert_max_num_queries(max_queries):
            response = client.get(
                LIST, {"segment": "segment-1", "q": "account", "status": "yellow", "sort": "-mrr"}
            )
        assert response.status_code == 200
        with django_assert_max_num_queries(max_queries):
            assert len(rows(client.get(LIST))) == min(total, 50)


def test_the_selector_sorts_by_lower_name_for_the_index(vp: User) -> None:
    sql = str(account_list(user=vp).query)
    assert 'ORDER BY LOWER("accounts_account"."name")' in sql


def test_empty_state_tells_a_vp_how_to_load_data(client: Client, vp: User, admin_user: User) -> None:
    client.force_login(vp)
    html = client.get(LIST).content.decode()
    assert "No accounts yet" in html
    assert "python manage.py import_bundle" in html
    assert "python manage.py seed_demo" in html
    client.force_login(admin_user)
    assert f'href="{reverse("data")}"' in client.get(LIST).content.decode()


def test_empty_state_for_a_csm_without_accounts(client: Client, csm: User, other_account: Account) -> None:
    client.force_login(csm)
    html = client.get(LIST).content.decode()
    assert "You do not own any accounts" in html


def test_empty_search_says_nothing_matches(client: Client, csm: User, own_account: Account) -> None:
    client.force_login(csm)
    html = client.get(LIST, {"q": "no such thing"}).content.decode()
    assert "No accounts match" in html


def test_home_is_a_csms_own_dashboard(client: Client, csm: User) -> None:
    client.force_login(csm)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse("my_dashboard")


def test_navigation_fits_the_role(client: Client, csm: User, vp: User, admin_user: User) -> None:
    client.force_login(csm)
    html = client.get(LIST).content.decode()
    assert "Accounts" in html
    assert reverse("team") not in html
    assert reverse("data") not in html
    assert "Alice Owner" in html
    assert 'action="/logout/"' in html
    client.force_login(admin_user)
    html = client.get(LIST).content.decode()
    for url in (reverse("team"), reverse("data"), reverse("health_model")):
        assert f'href="{url}"' in html
    # The Django admin is one click further, on the Data page, so the bar fits one line.
    assert f'href="{reverse("admin:index")}"' in client.get(reverse("data")).content.decode()


@pytest.fixture
def scored(csm: User, other_csm: User) -> dict[str, Account]:
    """Five accounts with snapshot rows (MRR, score, status, 30-day change) and one without (new since the run)."""
    rows = {
        "Alpha": ("3600", 82.0, "green", False, 4.0),
        "Bravo": ("1200", 35.5, "red", True, -20.0),
        "Charlie": ("6000", 55.0, "yellow", True, -16.5),
        "Delta": ("0", None, "", False, None),
        "Echo": ("2400", 71.0, "green", False, None),
    }
    accounts = {}
    for name, (arr, score, status, at_risk, change) in rows.items():
        account = AccountFactory.create(name=name, csm=csm if name != "Echo" else other_csm)
        current(account, arr, score=score, status=status, at_risk=at_risk, score_change_30d=change)
        accounts[name] = account
    accounts["Foxtrot"] = AccountFactory.create(name="Foxtrot", csm=csm)
    return accounts


@pytest.mark.usefixtures("scored")
@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot"]),
        ("-name", ["Foxtrot", "Echo", "Delta", "Charlie", "Bravo", "Alpha"]),
        ("-mrr", ["Charlie", "Alpha", "Echo", "Bravo", "Delta", "Foxtrot"]),
        ("mrr", ["Delta", "Bravo", "Echo", "Alpha", "Charlie", "Foxtrot"]),
        ("health", ["Bravo", "Charlie", "Echo", "Alpha", "Delta", "Foxtrot"]),
        ("-health", ["Alpha", "Echo", "Charlie", "Bravo", "Delta", "Foxtrot"]),
        ("change", ["Bravo", "Charlie", "Alpha", "Delta", "Echo", "Foxtrot"]),
        ("-change", ["Alpha", "Charlie", "Bravo", "Delta", "Echo", "Foxtrot"]),
        ("nonsense", ["Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot"]),
    ],
)
def test_sorts_both_ways_with_missing_figures_last(
    client: Client, vp: User, sort: str, expected: list[str]
) -> None:
    """Accounts without the figure (not scored, no snapshot yet) come last either way, then by name."""
    client.force_login(vp)
    assert names(client.get(LIST, {"sort": sort})) == expected


@pytest.mark.parametrize("sort", sorted(SNAPSHOT_SORTS))
def test_pages_by_a_snapshot_figure_are_the_one_query_order_cut_in_pages(
    vp: User, scored: dict[str, Account], sort: str
) -> None:
    """AccountPages reads the accounts with a snapshot row and those without (Foxtrot, Golf) apart: every page,
    of every size and across the boundary, holds what `account_list` in one query holds there."""
    AccountFactory.create(name="Golf")
    accounts = account_list(user=vp, sort=sort)
    expected = [account.name for account in accounts]
    pages = AccountPages(accounts)
    assert len(pages) == pages.count() == len(expected) == 7
    assert [account.name for account in pages] == expected
    assert [pages[index].name for index in range(7)] == expected
    for size in (1, 2, 3, 5, 7, 8):
        for start in range(0, 9, size):
            assert [account.name for account in pages[start : start + size]] == expected[start : start + size]


@pytest.mark.usefixtures("scored")
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "green"}, ["Alpha", "Echo"]),
        ({"status": "red"}, ["Bravo"]),
        ({"status": "none"}, ["Delta", "Foxtrot"]),
        ({"at_risk": "on"}, ["Bravo", "Charlie"]),
        ({"at_risk": "on", "sort": "-mrr"}, ["Charlie", "Bravo"]),
        ({"at_risk": "on", "status": "yellow"}, ["Charlie"]),
        ({"status": "purple"}, ["Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot"]),
    ],
)
def test_health_filters(client: Client, vp: User, query: dict[str, str], expected: list[str]) -> None:
    client.force_login(vp)
    assert names(client.get(LIST, query)) == expected


def test_a_csm_filters_and_sorts_only_their_own_book(
    client: Client, csm: User, scored: dict[str, Account]
) -> None:
    client.force_login(csm)
    assert names(client.get(LIST, {"status": "green"})) == ["Alpha"]  # Echo is the other CSM's
    assert "Echo" not in client.get(LIST, {"sort": "-mrr"}).content.decode()


def test_sort_headers_toggle_the_direction(client: Client, vp: User, scored: dict[str, Account]) -> None:
    client.force_login(vp)
    html = client.get(LIST, {"sort": "-mrr", "status": "green"}).content.decode()
    assert 'aria-sort="descending"' in html
    assert 'href="?sort=mrr&amp;status=green"' in html  # MRR, now the other way
    assert 'href="?sort=health&amp;status=green"' in html  # health: lowest first to start with


def export(client: Client, **query: str) -> list[list[str]]:
    response = client.get(LIST, {**query, "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="keel-accounts-')
    body = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    return list(csv.reader(io.StringIO(body)))


def test_csv_export_has_every_row_of_the_filter_not_only_the_page(
    client: Client, vp: User, csm: User
) -> None:
    for number in range(55):
        current(AccountFactory.create(name=f"Lake {number:02d}", csm=csm), "1200", status="green", score=75.0)
    current(AccountFactory.create(name="Zulu Other", csm=csm), "99", status="red", score=20.0)
    client.force_login(vp)
    lines = export(client, status="green", sort="-name")
    assert lines[0] == EXPORT_HEADER
    assert len(lines) == 1 + 55
    assert lines[1][:6] == [
        "Lake 54",
        "ACC-" + lines[1][1][4:],
        "smb",
        "alice@keel.test",
        "100.00",
        "1200.00",
    ]
    assert lines[1][6:] == ["0", "75.0", "green", "no", "", "", "2024-06-30"]


def test_csv_export_is_scoped_like_the_page(
    client: Client, csm: User, own_account: Account, other_account: Account
) -> None:
    client.force_login(csm)
    body = str(export(client))
    assert "Harbor Lights Inc" in body and "Zephyr Secret Corp" not in body
    assert export(client, q="zephyr") == [EXPORT_HEADER]


def test_csv_export_defuses_formulas(client: Client, csm: User) -> None:
    AccountFactory.create(name="=HYPERLINK(1)", csm=csm, external_id="+1")
    client.force_login(csm)
    assert export(client)[1][:2] == ["'=HYPERLINK(1)", "'+1"]


def test_quick_select_writes_what_djangos_select_writes() -> None:
    """The filters' <select> (QuickSelect, rendered in Python for speed): the same options, the chosen one
    selected, labels and values escaped, the attributes Django gives."""
    choices = [("", "All CSMs"), ("7", "<b>Eve</b> & co"), ("none", "No CSM")]
    quick = QuickSelect(choices=choices).render("csm", "7", attrs={"id": "id_csm"})
    django = forms.Select(choices=choices).render("csm", "7", attrs={"id": "id_csm"})

    def options(html: str) -> list[tuple[str, bool, str]]:
        found = re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', html)
        return [(value, bool(selected), label) for value, selected, label in found]

    assert (
        options(quick)
        == options(django)
        == [
            ("", False, "All CSMs"),
            ("7", True, "&lt;b&gt;Eve&lt;/b&gt; &amp; co"),
            ("none", False, "No CSM"),
        ]
    )
    assert re.match(r'<select (id="id_csm" name="csm"|name="csm" id="id_csm")>', quick)


def test_csv_export_says_the_lifecycle_stage(client: Client, vp: User, csm: User) -> None:
    current(
        AccountFactory.create(name="New One", csm=csm), "1200", status="red", score=33.0, stage="onboarding"
    )
    client.force_login(vp)
    header, row = export(client)
    assert row[header.index("stage")] == "onboarding"
