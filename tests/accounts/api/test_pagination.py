"""The API's pages (config/api_pagination.py): `next` and `previous` are keyset cursors that walk a list exactly
as its page numbers do (ties in the order, mixed directions, microseconds), a page by number reads the same rows
through its primary keys, lists without a unique order keep page-number links, and a bad cursor is a 400."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.db.models.functions import Lower
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import Account, Ticket, User
from config.api_pagination import DeferredPaginator, _order_key
from metrics.models import AccountDay
from tests.conftest import api_key

pytestmark = pytest.mark.django_db


def auth(user: User) -> dict[str, Any]:
    return {"headers": {"Authorization": f"Token {api_key(user)}"}}


def walk(client: Client, url: str, headers: dict[str, Any], key: str = "next") -> list[dict[str, Any]]:
    """Every page from `url` on, following `key` links: the pages' bodies in the order walked."""
    pages = []
    while url:
        response = client.get(url, **headers)
        assert response.status_code == 200, response.content
        pages.append(response.json())
        url = pages[-1][key]
    return pages


def ids(pages: list[dict[str, Any]]) -> list[list[str]]:
    return [[row["id"] for row in page["results"]] for page in pages]


def joined(pages: list[dict[str, Any]]) -> list[str]:
    return [row["id"] for page in pages for row in page["results"]]


def test_next_and_previous_walk_the_accounts_as_the_page_numbers_do(client: Client, vp: User) -> None:
    # 250 accounts under 7 names (ties broken by id), in an order unlike the ids' and with case and accents
    names = ["beta", "Alpha", "Ærø", "alpha", "zeta", "Beta", "éclair"]
    Account.objects.bulk_create(Account(external_id=f"A{n:03d}", name=names[n * 3 % 7]) for n in range(250))
    headers = auth(vp)
    expected = list(Account.objects.order_by("name", "pk").values_list("external_id", flat=True))

    by_number = [client.get(f"/api/v1/accounts/?page={page}", **headers).json() for page in (1, 2, 3)]
    assert [len(page) for page in ids(by_number)] == [100, 100, 50]
    assert joined(by_number) == expected
    forward = walk(client, "/api/v1/accounts/", headers)
    assert ids(forward) == ids(by_number)
    assert [page["count"] for page in forward] == [250, 250, 250]
    assert all("cursor=" in page["next"] for page in forward[:-1]) and forward[-1]["next"] is None
    # and back from the last page: the same pages, the first one's previous is none
    backward = walk(client, forward[-1]["previous"], headers, key="previous")
    assert ids(backward) == ids(by_number)[1::-1]
    assert backward[-1]["previous"] is None
    # from a page opened by number the links are cursors too
    assert ids([client.get(by_number[1]["next"], **headers).json()]) == ids(by_number)[2:]
    assert ids([client.get(by_number[1]["previous"], **headers).json()]) == ids(by_number)[:1]


def test_a_descending_order_with_equal_times_in_microseconds_loses_no_ticket(
    client: Client, vp: User, own_account: Account
) -> None:
    """Tickets are listed by -created_at, then id: 230 tickets at 7 instants a microsecond apart."""
    start = datetime(2024, 5, 1, 9, 30, tzinfo=UTC)
    Ticket.objects.bulk_create(
        Ticket(external_id=f"T{n:03d}", account=own_account, created_at=start + timedelta(microseconds=n % 7))
        for n in range(230)
    )
    headers = auth(vp)
    expected = list(Ticket.objects.order_by("-created_at", "pk").values_list("external_id", flat=True))
    forward = walk(client, "/api/v1/tickets/", headers)
    assert joined(forward) == expected
    assert len(set(joined(forward))) == 230


def test_filters_stay_on_the_cursor_links(client: Client, vp: User) -> None:
    Account.objects.bulk_create(
        Account(external_id=f"S{n:03d}", name=f"n{n:03d}", segment="smb" if n % 2 else "enterprise")
        for n in range(240)
    )
    pages = walk(client, "/api/v1/accounts/?segment=smb", auth(vp))
    assert [len(page) for page in ids(pages)] == [100, 20]
    assert all(row["segment"] == "smb" for page in pages for row in page["results"])


def test_a_page_by_number_reads_its_rows_through_their_keys(client: Client, vp: User) -> None:
    Account.objects.bulk_create(Account(external_id=f"K{n:03d}", name=f"k{n % 9}") for n in range(230))
    headers = auth(vp)
    client.get("/api/v1/accounts/?page=1", **headers)  # the token's first use is written once
    with CaptureQueriesContext(connection) as queries:
        third = client.get("/api/v1/accounts/?page=3", **headers).json()
    assert [row["id"] for row in third["results"]] == list(
        Account.objects.order_by("name", "pk").values_list("external_id", flat=True)[200:230]
    )
    page_sql = [query["sql"] for query in queries.captured_queries if "OFFSET 200" in query["sql"]]
    assert len(page_sql) == 1 and '"accounts_account"."id" IN (SELECT' in page_sql[0]


@pytest.mark.parametrize(
    "cursor",
    [
        "not base64 at all!",
        base64.urlsafe_b64encode(b"{}").decode(),
        base64.urlsafe_b64encode(json.dumps(["sideways", ["x", 1]]).encode()).decode(),
        base64.urlsafe_b64encode(json.dumps(["after", ["only one value"]]).encode()).decode(),
        base64.urlsafe_b64encode(json.dumps(["after", [{"a": 1}, 1]]).encode()).decode(),
        base64.urlsafe_b64encode(json.dumps(["after", ["yesterday", 1]]).encode()).decode(),  # not a datetime
        base64.urlsafe_b64encode(json.dumps(["after", ["2024-05-01T09:30:00+00:00", "x"]]).encode()).decode(),
    ],
)
def test_a_bad_cursor_is_a_400_that_names_it(
    client: Client, vp: User, own_account: Account, cursor: str
) -> None:
    Ticket.objects.create(external_id="T1", account=own_account, created_at=datetime(2024, 5, 1, tzinfo=UTC))
    response = client.get("/api/v1/tickets/", {"cursor": cursor}, **auth(vp))
    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {
                "field": "cursor",
                "message": "Not a cursor of this list: use the `next` and `previous` links as given.",
            }
        ]
    }


def test_only_a_unique_order_of_non_null_fields_gets_cursors() -> None:
    assert _order_key(Account.objects.order_by("name", "pk"), trusted=False) == [
        ("name", False),
        ("pk", False),
    ]
    assert _order_key(Ticket.objects.order_by("-created_at", "pk"), trusted=False) == [
        ("created_at", True),
        ("pk", False),
    ]
    assert _order_key(Account.objects.order_by("external_id"), trusted=False) == [("external_id", False)]
    assert _order_key(Account.objects.order_by("name"), trusted=False) is None  # names repeat
    assert _order_key(Account.objects.order_by("segment", "pk"), trusted=False) is None  # segment may be null
    assert _order_key(Account.objects.order_by(Lower("name"), "pk"), trusted=False) is None  # an expression
    assert _order_key(list(Account.objects.all()), trusted=False) is None
    # through a relation uniqueness is the view's word (the health scores of one day: one row per account)
    scores = AccountDay.objects.order_by("account__external_id")
    assert _order_key(scores, trusted=False) is None
    assert _order_key(scores, trusted=True) == [("account__external_id", False)]


def test_a_distinct_list_read_through_its_keys_gives_the_rows_of_its_page() -> None:
    Account.objects.bulk_create(Account(external_id=f"D{n:02d}", name=f"d{n % 3}") for n in range(30))
    rows = Account.objects.order_by("name", "pk").distinct()
    page = DeferredPaginator(rows, 10).page(2)
    expected = list(rows.values_list("external_id", flat=True))[10:20]
    assert [account.external_id for account in page] == expected


def test_the_browsable_api_opens_pages_by_number_and_by_cursor(client: Client, vp: User) -> None:
    Account.objects.bulk_create(Account(external_id=f"H{n:03d}", name=f"h{n:03d}") for n in range(150))
    client.force_login(vp)
    first = client.get("/api/v1/accounts/", HTTP_ACCEPT="application/json").json()
    for url in ("/api/v1/accounts/?page=2", first["next"]):
        page = client.get(url, HTTP_ACCEPT="text/html")
        assert page.status_code == 200 and b"H149" in page.content
