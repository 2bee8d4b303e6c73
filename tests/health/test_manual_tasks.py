"""Tasks made by hand (issue 15): from the 360 or the task list, for a teammate who sees the account, with a due
date and priority; snoozing; the fallback owner for accounts without a CSM."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Account, Role, TeamSettings, User
from health.models import Task
from health.selectors import open_task_count, task_list
from health.services import task_assignees, task_create, task_snooze, task_update
from metrics.selectors.dashboards import tasks_open
from tests.factories import AccountFactory

DUE = date(2030, 1, 10)


def test_a_task_by_hand_goes_to_the_accounts_csm_by_default(
    own_account: Account, csm: User, vp: User
) -> None:
    task = task_create(account=own_account, by=vp, title="  Send the QBR deck ", due_on=DUE)
    assert (task.assignee, task.kind, task.title, task.created_by, task.priority) == (
        csm,
        Task.Kind.MANUAL,
        "Send the QBR deck",
        vp,
        "normal",
    )


def test_an_account_without_a_csm_goes_to_the_fallback_owner(admin_user: User, vp: User) -> None:
    orphan = AccountFactory.create(name="Orphan", csm=None)
    assert task_create(account=orphan, by=vp, title="Find an owner", due_on=DUE).assignee == admin_user
    TeamSettings.objects.create(pk=1, fallback_owner=vp)
    assert task_create(account=orphan, by=vp, title="Again", due_on=DUE).assignee == vp


def test_only_people_who_see_the_account_can_be_given_it(
    own_account: Account, csm: User, other_csm: User, vp: User, admin_user: User
) -> None:
    assert task_assignees(own_account) == [admin_user, csm, vp]  # by name: Adam, Alice, Vera
    with pytest.raises(ValidationError) as error:
        task_create(account=own_account, by=csm, title="Cover for me", due_on=DUE, assignee=other_csm)
    assert "assignee" in error.value.message_dict
    task = task_create(account=own_account, by=csm, title="Approve the discount", due_on=DUE, assignee=vp)
    assert task.assignee == vp
    assert not Task.objects.filter(assignee=other_csm).exists()


def test_bad_fields_are_named_and_nothing_is_made(own_account: Account, csm: User) -> None:
    with pytest.raises(ValidationError) as error:
        task_create(
            account=own_account, by=csm, title=" ", due_on=DUE, priority="urgent", description="x" * 5001
        )
    assert set(error.value.message_dict) == {"title", "priority", "description"}
    assert not Task.objects.exists()


def test_who_may_change_a_task(own_account: Account, csm: User, other_csm: User, vp: User) -> None:
    task = task_create(account=own_account, by=vp, title="Call", due_on=DUE)

    def change(by: User) -> None:
        task_update(
            task=task, by=by, title="Call the CFO", due_on=DUE, assignee=vp, description="", priority="high"
        )

    with pytest.raises(PermissionDenied):
        change(other_csm)
    change(csm)
    task.refresh_from_db()
    assert (task.title, task.assignee, task.priority) == ("Call the CFO", vp, "high")


def test_a_snoozed_task_leaves_the_open_list_until_its_day(own_account: Account, csm: User) -> None:
    today = timezone.localdate()
    task = task_create(account=own_account, by=csm, title="Chase the invoice", due_on=today)
    assert open_task_count(csm) == 1 and tasks_open(csm=csm)[1] == 1
    task_snooze(task=task, by=csm, until=today + timedelta(days=3))
    # Snoozed: out of the open list, the navigation's count and the CSM's dashboard (one rule, tasks_awake).
    assert open_task_count(csm) == 0 and tasks_open(csm=csm) == ([], 0)
    assert list(task_list(user=csm, state="open", today=today)) == []
    assert list(task_list(user=csm, state="snoozed", today=today)) == [task]
    # On the day it was snoozed until, it is open again; it kept its due date.
    assert list(task_list(user=csm, state="open", today=today + timedelta(days=3))) == [task]
    task.refresh_from_db()
    assert task.due_on == today
    with pytest.raises(ValidationError):
        task_snooze(task=task, by=csm, until=today)
    task_snooze(task=task, by=csm, until=None)
    assert list(task_list(user=csm, state="open", today=today)) == [task]


def test_a_csm_sees_the_tasks_they_made_for_someone_else(own_account: Account, csm: User, vp: User) -> None:
    task = task_create(account=own_account, by=csm, title="Approve", due_on=DUE, assignee=vp)
    assert list(task_list(user=csm, state="all")) == [task]


def test_the_pages_make_change_and_snooze_a_task(
    client: Client, own_account: Account, csm: User, vp: User
) -> None:
    client.force_login(csm)
    new = reverse("task_new") + f"?account={own_account.pk}"
    form = client.get(new).content.decode()
    assert "Vera VP (VP)" in form and "Alice Owner (CSM)" in form
    response = client.post(
        new,
        {"title": "Approve a discount", "assignee": vp.pk, "due_on": "2030-01-10", "priority": "high"},
    )
    assert response.status_code == 302 and response["Location"].endswith("#account-tasks")
    task = Task.objects.get()
    assert (task.assignee, task.priority, task.due_on, task.created_by) == (vp, "high", DUE, csm)
    page = client.get(reverse("account_detail", args=[own_account.pk])).content.decode()
    assert "Approve a discount" in page and "Vera VP" in page

    client.post(
        reverse("task_edit", args=[task.pk]),
        {"title": "Approve a 10% discount", "assignee": vp.pk, "due_on": "2030-01-11", "priority": "normal"},
    )
    task.refresh_from_db()
    assert (task.title, task.due_on) == ("Approve a 10% discount", date(2030, 1, 11))

    until = timezone.localdate() + timedelta(days=7)
    client.post(reverse("task_snooze", args=[task.pk]), {"until": until.isoformat()})
    task.refresh_from_db()
    assert task.snoozed_until == until
    client.force_login(vp)
    row = f'data-task="{task.pk}"'
    assert row not in client.get(reverse("task_list")).content.decode()
    snoozed = client.get(reverse("task_list"), {"state": "snoozed"}).content.decode()
    assert row in snoozed and "snoozed until" in snoozed


def test_the_account_picker_finds_only_what_the_user_sees(
    client: Client, own_account: Account, other_account: Account, csm: User
) -> None:
    client.force_login(csm)
    page = client.get(reverse("task_new"), {"q": "o"}).content.decode()
    assert "Harbor Lights Inc" in page and "Zephyr Secret Corp" not in page


def test_a_bad_form_names_the_field(client: Client, own_account: Account, csm: User) -> None:
    client.force_login(csm)
    new = reverse("task_new") + f"?account={own_account.pk}"
    page = client.post(new, {"title": "", "assignee": csm.pk, "due_on": "soon", "priority": "normal"})
    assert page.status_code == 200
    assert "This field is required" in page.content.decode() and "Enter a valid date" in page.content.decode()
    assert not Task.objects.exists()


@pytest.mark.parametrize("role", [Role.VP, Role.ADMIN])
def test_vps_and_admins_are_always_assignable(
    make_user: Callable[..., User], own_account: Account, role: str
) -> None:
    person = make_user(f"{role}@keel.test", role)
    assert person in task_assignees(own_account)
    person.is_active = False
    person.save()
    assert person not in task_assignees(own_account)
