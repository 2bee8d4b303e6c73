"""The health section of the account page (/accounts/<pk>/): score, status, components and why."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from accounts.models import Account, User
from tests.scenarios import Facts, moment, slipping_account


@pytest.fixture
def slipping(facts: Facts, csm: User) -> Account:
    """Alice's account, tests/scenarios.slipping_account: 65.3846 on D (yellow, at risk), 100 on D−30."""
    return slipping_account(facts, "Slipping Co", csm=csm)


def test_the_owner_sees_score_status_components_and_why(client: Client, csm: User, slipping: Account) -> None:
    client.force_login(csm)
    response = client.get(reverse("account_detail", args=[slipping.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="health-score">65.4</span>' in page
    assert ">Yellow</span>" in page and ">At risk</span>" in page
    assert "on 30 Jun 2024 · model v1" in page
    assert (
        "The score fell 34.6 points in 30 days (from 100.0 to 65.4); a fall of 15 or more is at risk." in page
    )
    assert "Fell 34.6 points since 30 days before (from 100.0 to 65.4)." in page
    assert "Activity fell from 100 to 40: active on 8 of the last 30 days (was 25)" in page
    row = re.search(r'<tr data-component="activity">(.*?)</tr>', page, re.S)
    assert row is not None
    assert [
        re.sub(r"<[^>]+>", "", cell).strip()
        for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row.group(1), re.S)
    ][:5] == [
        "Activity",
        "40.0",
        "30",
        "46%",
        "18.5",
    ]
    assert "No seat count on the account." in page
    assert "Subscriptions" in page and "Contacts" in page  # the page's own content stays


def test_an_account_without_a_score_says_so(client: Client, csm: User, own_account: Account) -> None:
    client.force_login(csm)
    page = client.get(reverse("account_detail", args=[own_account.pk])).content.decode()
    assert "Not scored: Keel scores every account with MRR each night" in page


def test_another_csms_account_is_a_404_with_or_without_health(
    client: Client, other_csm: User, slipping: Account
) -> None:
    client.force_login(other_csm)
    assert client.get(reverse("account_detail", args=[slipping.pk])).status_code == 404


def test_the_health_section_costs_a_constant_number_of_queries(
    client: Client,
    csm: User,
    slipping: Account,
    facts: Facts,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    """session + user + the account + its lists (one query) + its history + the three days' rows + the
    explanation's tickets, NPS answers and spans (one query) + the timeline + the navigation's open tasks."""
    client.force_login(csm)
    url = reverse("account_detail", args=[slipping.pk])
    with django_assert_max_num_queries(9):
        assert client.get(url).status_code == 200
    for index in range(10):
        facts.ticket(slipping, moment(index), priority="normal")
        facts.response(slipping, "nps", 7, moment(index), contact=facts.contact(slipping))
    with django_assert_max_num_queries(9):
        assert client.get(url).status_code == 200
