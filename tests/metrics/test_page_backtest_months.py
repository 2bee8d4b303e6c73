"""The Health model page's backtest month by month: the chart of churn rate by status per month-end (and the table
it draws from) and "churned while green", each account opening its 360 as of that month-end (METRICS.md
"Backtest")."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from accounts.models import Account, User
from health.selectors import health_backtest, health_model_active
from health.templatetags.health_tags import percent
from metrics.selectors.backtest_months import backtest_chart, churned_while_green
from metrics.selectors.health_preview import backtest_months
from metrics.views import health_model as health_model_view
from tests.metrics.test_page_health_model import VISIT_QUERIES
from tests.scenarios import CHURNERS, D, Facts, activity_only, churn_book

URL = reverse("health_model")
MARCH_END = date(2024, 3, 31)


def green_book(facts: Facts, csm: User | None = None, other: User | None = None) -> dict[str, Account]:
    """Paying $100/month from 2024-01-01 (O: $200, Bob's), active on the last n days of March; month-ends of March
    and April and D computed, so March 31's 90 days (to Jun 29) are over. Activity alone: 16 days → 80 (green),
    20 → 100, 10 → 50 (yellow)."""
    made = {}
    for name, active_days, ends_on, amount, owner in (
        ("G1", 16, "2024-05-01", "100.00", csm),  # green, stops paying within 90 days: churned while green
        ("G2", 16, None, "100.00", csm),  # green, pays on
        ("G3", 20, None, "100.00", csm),  # green, pays on
        ("Y", 10, "2024-04-15", "100.00", csm),  # yellow, churns: not green
        ("L", 16, "2024-07-15", "100.00", csm),  # green, stops after Jun 29: stayed within the 90 days
        ("O", 16, "2024-06-01", "200.00", other),  # green, churns: another CSM's
    ):
        if name == "O" and other is None:
            continue
        account = facts.account(name, csm=owner)
        facts.span(account, amount, "month", "2024-01-01", ends_on)
        for day in range(31 - active_days + 1, 32):
            facts.event(account, "u1", f"2024-03-{day:02d}T12:00:00Z")
        made[name] = account
    for computed in ("2024-03-31", "2024-04-30", D.isoformat()):
        facts.compute(computed, computed, today="2024-07-01")
    return made


def test_churned_while_green_known_answer(facts: Facts) -> None:
    """On 2024-03-31, activity alone: G1, G2, G3 and L are green (80, 80, 100, 80); of them only G1 stops paying
    within 90 days (1 May ≤ 29 Jun), L after them (15 Jul). Y churns but is yellow (50). So the list is G1, once:
    score 80, ARR at the month-end 12 × $100 = $1,200, churned on 2024-05-01; the backtest's green churned count
    of the day is 1 of 4 (25%)."""
    green_book(facts)
    model = activity_only()
    listed = churned_while_green(user=facts.reader, model=model, days=[MARCH_END], page=None, per_page=25)
    rows: list[Any] = listed.object_list
    assert listed.count == 1
    assert [(row.account.name, row.day, row.score, row.arr, row.churned_on) for row in rows] == [
        ("G1", MARCH_END, 80, 1200, date(2024, 5, 1))
    ]
    (month,) = health_backtest(
        first_month=date(2024, 3, 1), last_month=date(2024, 3, 1), model=model, by_month=True
    ).months
    assert (month.scored["green"], month.churned["green"]) == (4, 1)
    assert month.churn_rate_by_status["green"] == 0.25


def test_a_csm_sees_only_their_own_churned_accounts(facts: Facts, csm: User, other_csm: User) -> None:
    """O (Bob's, $200/month) is green and churns too: Alice sees G1 alone; an admin both, the larger ARR first."""
    green_book(facts, csm=csm, other=other_csm)
    model = activity_only()

    def names(user: User) -> list[str]:
        listed = churned_while_green(user=user, model=model, days=[MARCH_END], page="1", per_page=25)
        return [row.account.name for row in listed]

    assert names(csm) == ["G1"]
    assert names(other_csm) == ["O"]
    assert names(facts.reader) == ["O", "G1"]


def _chart(page: str) -> dict[str, list[object]]:
    found = re.search(r'<script id="backtest-data" type="application/json">(.*?)</script>', page, re.S)
    assert found
    data: dict[str, list[object]] = json.loads(found.group(1))
    return data


def _table(page: str) -> dict[str, dict[str, str]]:
    """The screen readers' table: month-end (ISO) → status (and "all") → the cell's text."""
    body = re.search(r'<div class="sr-only">.*?<table id="backtest-months-table">(.*?)</table>', page, re.S)
    assert body
    rows = {}
    for day, cells in re.findall(r'<tr data-day="([\d-]+)">(.*?)</tr>', body.group(1), re.S):
        rows[day] = dict(re.findall(r'<td class="num" data-status="(\w+)">(.*?)</td>', cells))
    return rows


def test_the_chart_draws_the_numbers_of_the_table(facts: Facts, admin_client: Client) -> None:
    """The churn book: month-ends Jan, Feb and Mar 2024 (D = Jun 30: Apr 2023 – Mar 2024). The churners score
    green under the default model and stop paying on 2024-05-15: within 90 days of Feb 29 and Mar 31, not of Jan
    31 (Apr 30). Per month-end, green 0/4, 4/4, 4/4; yellow (the stayers) 0/4 each; red nobody; all 0/8, 4/8,
    4/8. The chart's data are the backtest's month-ends, and the table says the same rates."""
    churn_book(facts)
    page = admin_client.get(URL).content.decode()
    chart, table = _chart(page), _table(page)
    assert chart == {
        "days": ["2024-01-31", "2024-02-29", "2024-03-31"],
        "green": [0.0, 1.0, 1.0],
        "yellow": [0.0, 0.0, 0.0],
        "red": [None, None, None],
        "overall": [0.0, 0.5, 0.5],
    }
    first, last = backtest_months(last_day=D)
    active = health_model_active()
    backtest = health_backtest(first_month=first, last_month=last, model=active, by_month=True)
    assert chart == backtest_chart(backtest)
    assert list(table) == chart["days"]
    for index, day in enumerate(chart["days"]):
        for status in ("green", "yellow", "red"):
            assert table[str(day)][status] == percent(chart[status][index])  # type: ignore[arg-type]
        assert table[str(day)]["all"] == percent(chart["overall"][index])  # type: ignore[arg-type]
    # the pooled rates of the backtest table above: Σ churned ÷ Σ scored of the month-ends, green 8/12
    assert re.search(r'<tr data-row="churn_green">.*?<td class="num">66.7%</td>', page, re.S)
    assert 'id="chart-backtest"' in page and "js/health_model.js" in page


def test_the_list_links_each_account_to_its_360_as_of_the_month_end(
    facts: Facts, admin_client: Client
) -> None:
    """The four churners, green on Feb 29 and on Mar 31 and churned within 90 days of both: 8 account-months (the
    backtest's green churned counts, 4 + 4), March first, each linking to the 360 as of its month-end."""
    book = churn_book(facts)
    page = admin_client.get(URL).content.decode()
    assert '<span class="muted" id="churned-green-count">8 account-months</span>' in page
    links = re.findall(r'<a href="(/accounts/\d+/\?as_of=[\d-]+)">([^<]+)</a>', page)
    expected = [
        (f"{reverse('account_detail', args=[book.accounts[name].pk])}?as_of={day}", name)
        for day in ("2024-03-31", "2024-02-29")
        for name in CHURNERS
    ]
    assert sorted(links) == sorted(expected)
    assert [link for link, _ in links[:4]] == [link for link, _ in links if "2024-03-31" in link]
    assert "15 May 2024" in page  # the day they stopped paying


def test_the_list_is_paged_with_its_count(
    facts: Facts, admin_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    churn_book(facts)
    monkeypatch.setattr(health_model_view, "CHURNED_PER_PAGE", 3)
    first = admin_client.get(URL).content.decode()
    assert "Page 1 of 3 · 1–3" in first and "8 account-months" in first
    assert first.count("?as_of=") == 3
    assert 'href="?churned_page=2#churned-green"' in first
    last = admin_client.get(URL, {"churned_page": "3"}).content.decode()
    assert "Page 3 of 3 · 7–8" in last and last.count("?as_of=") == 2
    # a page that is not a number is the first one, one past the end the last one
    assert "Page 1 of 3" in admin_client.get(URL, {"churned_page": "x"}).content.decode()
    assert "Page 3 of 3" in admin_client.get(URL, {"churned_page": "99"}).content.decode()


def test_without_month_ends_the_section_says_so(facts: Facts, admin_client: Client) -> None:
    """Only D computed: no month-end has its 90 days: no chart, no script, an empty list."""
    account = facts.account("A")
    facts.span(account, "100.00", "month", "2024-01-01")
    facts.compute(D.isoformat(), D.isoformat(), today="2024-07-01")
    page = admin_client.get(URL).content.decode()
    assert "No month-end of the last 12 months has its 90 days computed yet." in page
    assert "backtest-data" not in page and "js/health_model.js" not in page
    assert 'id="churned-green-none"' in page and "0 account-months" in page


def test_the_list_costs_two_queries_whatever_its_length(
    facts: Facts, admin_client: Client, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    """Its count and its page (accounts joined, ARR a subquery): a visit of the churn book's 8 account-months
    stays within the page's budget (tests/metrics/test_page_health_model.py)."""
    churn_book(facts)
    admin_client.get(URL)  # the first visit after the run fills the caches
    with django_assert_max_num_queries(VISIT_QUERIES):
        assert admin_client.get(URL).status_code == 200
