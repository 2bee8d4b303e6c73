"""The account list (/accounts/) and the account page (/accounts/<pk>/)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.http import HttpResponseBase
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from accounts.models import Account, Role, User
from accounts.selectors import account_list, with_current_mrr
from tests.factories import AccountFactory, ContactFactory, SubscriptionSpanFactory

LIST = reverse("account_list")


def rows(response: HttpResponseBase) -> list[tuple[str, str]]:
    """(name, MRR) of every row of the accounts table, in page order."""
    html = response.content.decode()  # type: ignore[attr-defined]
    found = re.findall(
        r'<a href="/accounts/\d+/">([^<]+)</a></td>.*?<td class="num">([^<]*)</td>', html, re.S
    )
    return [(name, mrr) for name, mrr in found]


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


def test_the_list_shows_current_mrr_worked_by_hand(
    client: Client, csm: User, book: dict[str, Account]
) -> None:
    """MRR today = Σ annual_amount / 12 of the spans active today (starts_on ≤ today < ends_on), to the cent:

    - Acme: $2,000/year → 2000 / 12 = 166.666… → 166.67
    - Birch: a quarterly $300 starting today → 300 × 4 / 12 = 100.00
    - Cobalt: monthly $49.99 + yearly $1,200 → 49.99 + 100.00 = 149.99
    - Dune: $100/month ended today (not active today), $150/month from today → 150.00
    - Ember: ended yesterday, next span starts tomorrow → 0.00
    - Fjord: $0.005/month → 0.005 rounds half up to 0.01 (banker's rounding would give 0.00)
    """
    client.force_login(csm)
    response = client.get(LIST)
    assert response.status_code == 200
    assert rows(response) == [
        ("Acme", "166.67"),
        ("Birch", "100.00"),
        ("Cobalt", "149.99"),
        ("Dune", "150.00"),
        ("Ember", "0.00"),
        ("Fjord", "0.01"),
    ]


def test_current_mrr_is_exact_until_shown(csm: User, book: dict[str, Account]) -> None:
    """The annotation is not rounded: $2,000/year → 166.666…, rounded only by the template."""
    acme: Any = with_current_mrr(Account.objects.filter(pk=book["Acme"].pk)).get()
    assert acme.current_mrr.quantize(Decimal("0.000001")) == Decimal("166.666667")


def test_money_shows_thousands(client: Client, csm: User) -> None:
    """$150,000/year → 12,500.00."""
    SubscriptionSpanFactory(account=AccountFactory(name="Big", csm=csm), interval="year", amount="150000")
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
    for text in (
        "Harbor Lights Inc",
        "ACC-OWN-1",
        "smb",
        '<td class="hide-sm">Alice Owner</td>',
        "100.00",
        "2024-01-15",
    ):
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
    with their MRR subquery."""
    user = make_user(f"{role}-counted@keel.test", role)
    owner = user if role == Role.CSM else make_user("owner@keel.test")
    client.force_login(user)
    for total in (5, 60):
        while Account.objects.count() < total:
            account = AccountFactory(csm=owner, segment=f"segment-{Account.objects.count() % 4}")
            SubscriptionSpanFactory(account=account)
            ContactFactory(account=account)
        with django_assert_max_num_queries(max_queries):
            response = client.get(LIST, {"segment": "segment-1", "q": "account"})
        assert response.status_code == 200
        with django_assert_max_num_queries(max_queries):
            assert len(rows(client.get(LIST))) == min(total, 50)


def test_detail_query_count(
    client: Client, csm: User, own_account: Account, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    """session + user + account with CSM and MRR + its health (none here: one query) + spans + contacts + the
    nav's open tasks (tests/health/test_page_account_health.py counts a scored account)."""
    for _ in range(10):
        SubscriptionSpanFactory(account=own_account)
        ContactFactory(account=own_account)
    client.force_login(csm)
    with django_assert_max_num_queries(7):
        assert client.get(reverse("account_detail", args=[own_account.pk])).status_code == 200


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


def test_home_redirects_to_the_account_list(client: Client, csm: User) -> None:
    client.force_login(csm)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == LIST


def test_account_page(client: Client, csm: User, own_account: Account) -> None:
    """The $1,200/year span → MRR 100.00; an ended $60/month span is listed but not counted."""
    today = timezone.localdate()
    SubscriptionSpanFactory(
        account=own_account,
        subscription_id="sub_old",
        amount="60.00",
        starts_on=today - timedelta(days=100),
        ends_on=today - timedelta(days=10),
        plan="Starter",
    )
    client.force_login(csm)
    response = client.get(reverse("account_detail", args=[own_account.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "Harbor Lights Inc",
        "ACC-OWN-1",
        "smb",
        "Alice Owner",
        "Hana Harbor",
        "hana@harbor.example",
    ):
        assert text in html
    assert re.search(r'<dd class="big">100.00</dd>', html)
    assert "sub_old" in html
    assert "Ended" in html
    assert "Active" in html
    assert "1,200.00" in html  # the yearly span's amount


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
    for url in (reverse("team"), reverse("data"), reverse("admin:index")):
        assert f'href="{url}"' in html
