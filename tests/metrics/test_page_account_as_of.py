"""The account 360 as of a day (/accounts/<pk>/?as_of=YYYY-MM-DD): the health section shows that day's stored
score with its components and why, under a banner back to today; a day that is not a day, or has no stored score,
says so and keeps the latest score."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from accounts.models import Account, User
from metrics.models import AccountDay
from tests.scenarios import Facts, ago, slipping_account


@pytest.fixture
def slipping(facts: Facts, csm: User) -> Account:
    """Alice's account, tests/scenarios.slipping_account: 100 on D−30 (2024-05-31: green), 65.3846 on D (yellow,
    at risk)."""
    return slipping_account(facts, "Slipping Co", csm=csm)


def url(account: Account, as_of: str | None = None) -> str:
    base = reverse("account_detail", args=[account.pk])
    return f"{base}?as_of={as_of}" if as_of is not None else base


def health_score(page: str) -> str:
    found = re.search(r'id="health-score">([^<]+)</span>', page)
    assert found
    return found.group(1)


def test_as_of_a_day_the_health_section_shows_that_days_score(
    client: Client, csm: User, slipping: Account
) -> None:
    """On 2024-05-31 the account scored 100 (activity 100: 25 active days), green; today's is 65.4."""
    client.force_login(csm)
    today = client.get(url(slipping)).content.decode()
    assert health_score(today) == "65.4" and 'id="as-of"' not in today
    response = client.get(url(slipping, ago(30)))
    assert response.status_code == 200
    page = response.content.decode()
    assert health_score(page) == "100.0"
    assert f'<strong>As of 31 May 2024</strong> — <a href="{url(slipping)}">back to today</a>' in page
    assert "on 31 May 2024 · model v1" in page
    activity = re.search(r'<tr data-component="activity">.*?<td class="num">([^<]+)</td>', page, re.S)
    assert activity and activity.group(1) == "100.0"
    assert "Active on 25 of the last 30 days" in page
    assert (
        "At risk</span>" in page
    )  # the heading keeps today's status: only the health section is as of the day
    assert "Subscriptions" in page and "Contacts" in page


@pytest.mark.parametrize("as_of", ["2024-02-30", "yesterday", "2024-5-31", "20240531"])
def test_a_value_that_is_not_a_day_is_a_400_naming_the_field(
    client: Client, csm: User, slipping: Account, as_of: str
) -> None:
    client.force_login(csm)
    response = client.get(url(slipping, as_of))
    assert response.status_code == 400
    page = response.content.decode()
    assert f"as_of: “{as_of}” is not a day; give it as YYYY-MM-DD, e.g. 2025-01-31." in page
    assert health_score(page) == "65.4"  # the latest, as without as_of


def test_a_day_not_computed_says_so_and_keeps_the_latest_score(
    client: Client, csm: User, slipping: Account
) -> None:
    client.force_login(csm)
    response = client.get(url(slipping, "2024-01-15"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "No health score for 15 Jan 2024: Keel has not computed that day." in page
    assert "The health section shows the latest score." in page
    assert health_score(page) == "65.4"


def test_a_day_whose_rows_expired_says_they_are_no_longer_kept(
    client: Client, csm: User, slipping: Account
) -> None:
    """D−7 (2024-06-23) was computed; its daily rows are gone as the pipeline expires them past the retention
    window (month-ends stay)."""
    AccountDay.objects.filter(day=ago(7)).delete()
    client.force_login(csm)
    page = client.get(url(slipping, ago(7))).content.decode()
    assert "No health score for 23 Jun 2024: daily scores are kept 400 days and month-ends forever." in page


def test_a_computed_day_the_account_was_not_scored_says_so(client: Client, csm: User, facts: Facts) -> None:
    """D is computed, and an account without a subscription has no score that day."""
    slipping_account(facts, csm=csm)
    unpaid = facts.account("Unpaid Co", csm=csm)
    client.force_login(csm)
    page = client.get(url(unpaid, ago(0))).content.decode()
    assert "No health score for 30 Jun 2024: the account was not scored that day (it had no MRR)." in page
    assert "Not scored: Keel scores every account" in page


def test_another_csms_account_is_a_404_as_of_any_day(
    client: Client, csm: User, other_csm: User, vp: User, slipping: Account
) -> None:
    """Bob may not read Alice's account as of a day, even with a value that is not a day; a VP may."""
    client.force_login(other_csm)
    for as_of in (ago(30), "not-a-day", "2024-01-15"):
        assert client.get(url(slipping, as_of)).status_code == 404
    client.force_login(vp)
    assert health_score(client.get(url(slipping, ago(30))).content.decode()) == "100.0"


def test_as_of_costs_a_constant_number_of_queries(
    client: Client,
    csm: User,
    slipping: Account,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    """As the page without as_of (tests/metrics/test_page_account_health.py: 9): that day's explanation instead
    of the latest; a day without a score adds the ledger's answer and the latest explanation's queries."""
    client.force_login(csm)
    with django_assert_max_num_queries(9):
        assert client.get(url(slipping, ago(30))).status_code == 200
    with django_assert_max_num_queries(11):
        assert client.get(url(slipping, "2024-01-15")).status_code == 200
