"""GET /api/v1/metrics/monthly/: the `kpis` objects, scoped like the pages (DESIGN.md "Roles and access")."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from accounts.models import User
from tests.conftest import api_key
from tests.scenarios import Facts

URL = "/api/v1/metrics/monthly/"


@pytest.fixture
def book(facts: Facts, csm: User, other_csm: User) -> Facts:
    """March 2024: alice (csm) owns A $1,200/year (MRR 100) in smb and B $600/month in enterprise;
    bob (other_csm) owns C $300/month in smb."""
    facts.span(facts.account("A", csm=csm, segment="smb"), "1200.00", "year", "2024-03-05")
    facts.span(facts.account("B", csm=csm, segment="enterprise"), "600.00", "month", "2024-03-05")
    facts.span(facts.account("C", csm=other_csm, segment="smb"), "300.00", "month", "2024-03-05")
    facts.compute("2024-03-01", "2024-03-31")
    return facts


def get(client: Client, user: User | None, **params: str) -> Any:
    if user is not None:
        client.force_login(user)
    return client.get(URL, params)


def test_a_vp_gets_the_company_and_every_breakdown(book: Facts, client: Client, vp: User) -> None:
    (company,) = get(client, vp, **{"from": "2024-03", "to": "2024-03"}).json()
    assert (company["month"], company["mrr"], company["customers"]) == ("2024-03", "1000.00", 3)
    by_csm = get(client, vp, **{"from": "2024-03", "to": "2024-03", "by": "csm"}).json()
    assert {row["csm"]: row["mrr"] for row in by_csm} == {
        "alice@keel.test": "700.00",
        "bob@keel.test": "300.00",
    }
    by_segment = get(client, vp, **{"from": "2024-03", "to": "2024-03", "by": "segment"}).json()
    assert {row["segment"]: row["mrr"] for row in by_segment} == {"enterprise": "600.00", "smb": "400.00"}


def test_a_csm_gets_only_their_own_book(book: Facts, client: Client, csm: User) -> None:
    (mine,) = get(client, csm, **{"from": "2024-03", "to": "2024-03"}).json()
    assert (mine["mrr"], mine["customers"], mine["cac"]) == ("700.00", 2, None)
    assert "csm" not in mine
    (row,) = get(client, csm, **{"from": "2024-03", "to": "2024-03", "by": "csm"}).json()
    assert (row["csm"], row["mrr"]) == ("alice@keel.test", "700.00")
    by_segment = get(client, csm, **{"from": "2024-03", "to": "2024-03", "by": "segment"}).json()
    assert {row["segment"]: row["mrr"] for row in by_segment} == {"enterprise": "600.00", "smb": "100.00"}


def test_token_authentication_acts_as_its_user(book: Facts, client: Client, other_csm: User) -> None:
    key = api_key(other_csm)
    response = client.get(URL, {"from": "2024-03", "to": "2024-03"}, HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200
    assert response.json()[0]["mrr"] == "300.00"


def test_anonymous_is_refused(book: Facts, client: Client) -> None:
    response = get(client, None, **{"from": "2024-03", "to": "2024-03"})
    assert response.status_code in (401, 403)
    assert response.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2024-3", "to": "2024-03"}, "from"),
        ({"from": "2024-03"}, "to"),
        ({"from": "2024-04", "to": "2024-03"}, "from"),
        ({"from": "2024-03", "to": "2024-03", "by": "region"}, "by"),
    ],
)
def test_bad_parameters_are_400_with_the_field(
    book: Facts, client: Client, vp: User, params: dict[str, str], field: str
) -> None:
    response = get(client, vp, **params)
    assert response.status_code == 400
    assert [error["field"] for error in response.json()["errors"]] == [field]


def test_months_without_snapshots_are_named(book: Facts, client: Client, vp: User) -> None:
    response = get(client, vp, **{"from": "2024-03", "to": "2024-05"})
    assert response.status_code == 409
    assert "2024-04, 2024-05" in response.json()["errors"][0]["message"]
