"""The health API: /api/v1/health/, /api/v1/health/backtest/, /api/v1/tasks/, scoped like the pages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.test import Client

from accounts.models import User
from health.models import COMPONENTS, Task
from health.reasons import AtRiskReason
from metrics.selectors.scores import health_score_fields, health_scores_on
from tests.conftest import api_key
from tests.scenarios import D, Facts, ago, events, score_day

HEALTH = "/api/v1/health/"
BACKTEST = "/api/v1/health/backtest/"
TASKS = "/api/v1/tasks/"


@pytest.fixture
def book(facts: Facts, csm: User, other_csm: User) -> Facts:
    """Alice (csm) owns A1 and A2, Bob (other_csm) owns B1; all pay $100/month since D−400; A1 is active on 10
    of the last 30 days. Computed on D."""
    for name, owner in (("A1", csm), ("A2", csm), ("B1", other_csm)):
        facts.span(facts.account(name, csm=owner), "100.00", "month", ago(400))
    events(facts, facts.accounts["A1"], *range(10))
    score_day(facts)
    return facts


def get(client: Client, user: User | None, url: str, **params: str) -> Any:
    if user is not None:
        client.force_login(user)
    return client.get(url, params)


def test_a_vp_gets_every_score_of_the_day_as_the_health_command_prints_them(
    book: Facts, client: Client, vp: User
) -> None:
    response = get(client, vp, HEALTH, on=D.isoformat())
    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["next"], body["previous"]) == (3, None, None)
    assert [row["account_id"] for row in body["results"]] == ["A1", "A2", "B1"]
    expected = [health_score_fields(score) for score in health_scores_on(day=D)]
    assert body["results"] == expected
    a1 = body["results"][0]
    assert set(a1) == {"account_id", "score", "status", "components", "at_risk"}
    assert a1["components"]["activity"] == 50 and a1["components"]["adoption"] is None
    assert a1["components"]["revenue_trend"] == 100  # MRR unchanged in 90 days: at its highest
    assert list(a1["components"]) == list(COMPONENTS)
    assert a1["score"] == pytest.approx(5000 / 65)  # (30 × 50 + 15 × 100 + 10 × 100 + 10 × 100) / 65


def test_a_csm_gets_only_their_accounts(book: Facts, client: Client, csm: User, other_csm: User) -> None:
    assert [row["account_id"] for row in get(client, csm, HEALTH, on=D.isoformat()).json()["results"]] == [
        "A1",
        "A2",
    ]
    key = api_key(other_csm)
    response = client.get(HEALTH, {"on": D.isoformat()}, HTTP_AUTHORIZATION=f"Token {key}")
    assert [row["account_id"] for row in response.json()["results"]] == ["B1"]


def test_scores_are_paginated(book: Facts, client: Client, vp: User) -> None:
    """100 per page (the API's page size): 103 accounts make two pages."""
    for index in range(100):
        book.span(book.account(f"Z{index:03d}"), "10.00", "month", ago(400))
    score_day(book)
    first = get(client, vp, HEALTH, on=D.isoformat()).json()
    assert (first["count"], len(first["results"])) == (103, 100)
    by_number = get(client, vp, HEALTH, on=D.isoformat(), page="2").json()
    assert (by_number["count"], len(by_number["results"]), by_number["next"]) == (103, 3, None)
    # `next` is a cursor (the page after the last account of page 1): the same rows as page 2
    assert "cursor=" in first["next"] and f"on={D.isoformat()}" in first["next"]
    second = client.get(first["next"]).json()
    assert (second["count"], second["results"], second["next"]) == (103, by_number["results"], None)
    back = client.get(second["previous"]).json()
    assert (back["results"], back["previous"]) == (first["results"], None)


@pytest.mark.parametrize(
    ("params", "field"),
    [({}, "on"), ({"on": "2024-6-30"}, "on"), ({"on": "2024-02-30"}, "on"), ({"on": "yesterday"}, "on")],
)
def test_bad_days_are_400_with_the_field(
    book: Facts, client: Client, vp: User, params: dict[str, str], field: str
) -> None:
    response = get(client, vp, HEALTH, **params)
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["field"] == field and error["message"]


def test_a_day_not_computed_is_a_409(book: Facts, client: Client, vp: User) -> None:
    response = get(client, vp, HEALTH, on="2024-06-29")
    assert response.status_code == 409
    assert response.json()["errors"] == [
        {
            "field": "on",
            "message": "2024-06-29 is not computed: run `python manage.py snapshot --from 2024-06-29 --to "
            "2024-06-29` first.",
        }
    ]


def test_anonymous_is_401_everywhere(book: Facts, client: Client) -> None:
    for url, params in (
        (HEALTH, {"on": D.isoformat()}),
        (BACKTEST, {"from": "2024-01", "to": "2024-03"}),
        (TASKS, {}),
    ):
        response = client.get(url, params)
        assert response.status_code == 401, url
        assert response.json()["errors"][0]["message"]


@pytest.mark.parametrize("role", ["vp", "admin"])
def test_vps_and_admins_get_the_backtest(
    book: Facts, client: Client, make_user: Callable[..., User], role: str
) -> None:
    """Nobody churned: AUC null; every account-month green or yellow (see the golden test for real numbers)."""
    response = get(
        client, make_user(f"{role}@keel.test", role), BACKTEST, **{"from": "2024-01", "to": "2024-03"}
    )
    assert response.status_code == 200
    assert set(response.json()) == {"auc", "churn_rate_by_status"}
    assert response.json()["auc"] is None
    assert set(response.json()["churn_rate_by_status"]) == {"green", "yellow", "red"}


def test_a_csm_may_not_call_the_backtest(book: Facts, client: Client, csm: User) -> None:
    """The backtest pools every account of the company, which a CSM does not see: 403."""
    response = get(client, csm, BACKTEST, **{"from": "2024-01", "to": "2024-03"})
    assert response.status_code == 403
    assert response.json() == {
        "errors": [
            {
                "field": None,
                "message": "Only VPs and admins may see this: it covers every account of the company.",
            }
        ]
    }


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2024-1", "to": "2024-03"}, "from"),
        ({"from": "2024-01"}, "to"),
        ({"from": "2024-04", "to": "2024-03"}, "from"),
        ({"from": "2024-13", "to": "2025-01"}, "from"),
    ],
)
def test_bad_backtest_months_are_400(
    book: Facts, client: Client, vp: User, params: dict[str, str], field: str
) -> None:
    response = get(client, vp, BACKTEST, **params)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field


@pytest.fixture
def tasks(book: Facts, csm: User, other_csm: User) -> dict[str, Task]:
    def make(name: str, assignee: User | None, **fields: Any) -> Task:
        return Task.objects.create(
            account=book.accounts[name],
            assignee=assignee,
            kind=Task.Kind.AT_RISK,
            title=f"{name} is at risk",
            reason=AtRiskReason(score=30.0, red=True, yellow_min=40, drop_points=15, drop_days=30).data(),
            due_on=date(2024, 7, 7),
            **fields,
        )

    return {
        "A1": make("A1", csm),
        "B1": make("B1", other_csm),
        "A2": make("A2", csm, closed_at="2024-07-02T10:00Z"),
    }


def test_a_csm_gets_their_own_tasks(
    tasks: dict[str, Task], client: Client, csm: User, other_csm: User
) -> None:
    body = get(client, csm, TASKS).json()
    assert [task["title"] for task in body["results"]] == ["A1 is at risk"]
    task = body["results"][0]
    assert task == {
        "id": tasks["A1"].pk,
        "kind": "at_risk",
        "account_id": "A1",
        "account_name": "A1",
        "assignee": csm.email,
        "title": "A1 is at risk",
        "description": "",
        "priority": "normal",
        "reason": "Red: the score 30.0 is below 40.",
        "reason_data": {
            "kind": "at_risk",
            "score": 30.0,
            "red": True,
            "yellow_min": 40,
            "drop_points": 15,
            "drop_days": 30,
            "before": None,
        },
        "due_on": "2024-07-07",
        "snoozed_until": None,
        "created_by": None,
        "created_at": task["created_at"],
        "closed_at": None,
        "closed_by": None,
        "close_note": "",
        "episode_started_on": None,
    }
    assert [task["title"] for task in get(client, csm, TASKS, state="all").json()["results"]] == [
        "A2 is at risk",
        "A1 is at risk",
    ]
    assert [task["title"] for task in get(client, csm, TASKS, csm=str(other_csm.pk)).json()["results"]] == [
        "A1 is at risk"
    ]


def test_vps_get_every_task_and_filter_by_csm(
    tasks: dict[str, Task], client: Client, vp: User, other_csm: User
) -> None:
    assert len(get(client, vp, TASKS).json()["results"]) == 2
    assert [task["title"] for task in get(client, vp, TASKS, csm=str(other_csm.pk)).json()["results"]] == [
        "B1 is at risk"
    ]
    assert [task["title"] for task in get(client, vp, TASKS, state="closed").json()["results"]] == [
        "A2 is at risk"
    ]


@pytest.mark.parametrize(("params", "field"), [({"state": "done"}, "state"), ({"csm": "bob"}, "csm")])
def test_bad_task_filters_are_400(
    tasks: dict[str, Task], client: Client, vp: User, params: dict[str, str], field: str
) -> None:
    response = get(client, vp, TASKS, **params)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field
