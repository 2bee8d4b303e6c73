"""The Tasks page (/tasks/): a CSM's own open tasks and closing them; every task for VPs and admins."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.http import HttpResponseBase
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from accounts.models import Account, User
from health.models import AtRiskEpisode, Task
from health.reasons import AtRiskReason
from tests.factories import AccountFactory

URL = reverse("task_list")


def make_task(account: Account, assignee: User | None, *, title: str | None = None, **fields: object) -> Task:
    """An open at-risk task of `account` for `assignee`, with its episode."""
    values: dict[str, object] = {
        "kind": Task.Kind.AT_RISK,
        # a second task of the same account (a title given) has no episode: one open episode per account
        "episode": None
        if title
        else AtRiskEpisode.objects.create(account=account, started_on=date(2024, 6, 1)),
        "title": title or f"{account.name} is at risk",
        "reason": AtRiskReason(score=30.0, red=True, yellow_min=40, drop_points=15, drop_days=30).data(),
        "due_on": date(2024, 6, 8),
        **fields,
    }
    return Task.objects.create(account=account, assignee=assignee, **values)


def titles(response: HttpResponseBase) -> list[str]:
    return [task.title for task in response.context["tasks"]]  # type: ignore[attr-defined]


@pytest.fixture
def tasks(csm: User, other_csm: User, own_account: Account, other_account: Account) -> dict[str, Task]:
    orphan = AccountFactory.create(name="Nobody's Co", csm=None)
    return {
        "mine": make_task(own_account, csm),
        "theirs": make_task(other_account, other_csm),
        "orphan": make_task(orphan, None),
    }


def test_a_csm_sees_their_open_tasks_only(client: Client, csm: User, tasks: dict[str, Task]) -> None:
    client.force_login(csm)
    response = client.get(URL)
    assert response.status_code == 200
    assert titles(response) == ["Harbor Lights Inc is at risk"]
    page = response.content.decode()
    assert "Zephyr Secret Corp" not in page and "Nobody" not in page
    assert f'href="/accounts/{tasks["mine"].account_id}/#health"' in page
    assert 'name="csm"' not in page  # no CSM filter for a CSM
    assert titles(client.get(URL, {"csm": str(tasks["theirs"].assignee_id)})) == [
        "Harbor Lights Inc is at risk"
    ]


def test_the_navigation_counts_a_csms_open_tasks(client: Client, csm: User, tasks: dict[str, Task]) -> None:
    make_task(tasks["mine"].account, csm, title="Second")
    client.force_login(csm)
    assert (
        '<span class="nav-count" title="Open tasks">2</span>'
        in client.get(reverse("account_list")).content.decode()
    )


def test_a_csm_closes_a_task_with_a_note(client: Client, csm: User, tasks: dict[str, Task]) -> None:
    client.force_login(csm)
    task = tasks["mine"]
    response = client.post(
        reverse("task_close", args=[task.pk]), {"note": " Called them; renewal on track. ", "next": URL}
    )
    assert response.status_code == 302 and response["Location"] == URL
    task.refresh_from_db()
    assert (task.closed_by, task.close_note) == (csm, "Called them; renewal on track.")
    assert task.closed_at is not None
    assert titles(client.get(URL)) == []
    closed = client.get(URL, {"state": "closed"})
    assert titles(closed) == ["Harbor Lights Inc is at risk"]
    assert "Called them; renewal on track." in closed.content.decode()
    again = client.post(reverse("task_close", args=[task.pk]), {"note": "twice"}, follow=True)
    assert "This task was closed on" in again.content.decode()
    task.refresh_from_db()
    assert task.close_note == "Called them; renewal on track."


def test_another_csms_task_is_a_404(client: Client, csm: User, tasks: dict[str, Task]) -> None:
    client.force_login(csm)
    for name in ("theirs", "orphan"):
        response = client.post(reverse("task_close", args=[tasks[name].pk]), {"note": "not mine"})
        assert response.status_code == 404
        tasks[name].refresh_from_db()
        assert tasks[name].closed_at is None


def test_closing_redirects_only_within_keel(client: Client, csm: User, tasks: dict[str, Task]) -> None:
    client.force_login(csm)
    response = client.post(reverse("task_close", args=[tasks["mine"].pk]), {"next": "https://evil.example/"})
    assert response["Location"] == URL


@pytest.mark.parametrize("role", ["vp", "admin"])
def test_vps_and_admins_see_every_task_and_filter_by_csm(
    client: Client, make_user: Callable[..., User], tasks: dict[str, Task], csm: User, role: str
) -> None:
    client.force_login(make_user(f"{role}@keel.test", role))
    assert sorted(titles(client.get(URL))) == [
        "Harbor Lights Inc is at risk",
        "Nobody's Co is at risk",
        "Zephyr Secret Corp is at risk",
    ]
    assert titles(client.get(URL, {"csm": str(csm.pk)})) == ["Harbor Lights Inc is at risk"]
    assert titles(client.get(URL, {"csm": "none"})) == ["Nobody's Co is at risk"]
    assert titles(client.get(URL, {"csm": "nonsense", "state": "bogus"})) == titles(client.get(URL))
    response = client.post(reverse("task_close", args=[tasks["theirs"].pk]), {"note": "Handled by the VP"})
    assert response.status_code == 302
    assert Task.objects.get(pk=tasks["theirs"].pk).closed_at is not None


def test_anonymous_people_are_sent_to_log_in(client: Client, tasks: dict[str, Task]) -> None:
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert client.post(reverse("task_close", args=[tasks["mine"].pk])).status_code == 302
    assert Task.objects.filter(closed_at__isnull=False).count() == 0


@pytest.mark.parametrize(("role", "max_queries"), [("csm", 5), ("vp", 5)])
def test_query_count_does_not_grow_with_tasks(
    client: Client,
    make_user: Callable[..., User],
    django_assert_max_num_queries: DjangoAssertNumQueries,
    role: str,
    max_queries: int,
) -> None:
    """session + user + (the nav count for a CSM | the CSMs of the filter for a VP) + count + one page of tasks
    with their account, assignee, closer and episode."""
    user = make_user(f"{role}-counted@keel.test", role)
    owner = user if role == "csm" else make_user("owner@keel.test")
    client.force_login(user)
    for total in (3, 30):
        while Task.objects.count() < total:
            make_task(
                AccountFactory.create(csm=owner),
                owner,
                due_on=date(2024, 6, 8) + timedelta(Task.objects.count()),
            )
        with django_assert_max_num_queries(max_queries):
            response = client.get(URL)
        assert len(titles(response)) == total
