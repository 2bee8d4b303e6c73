"""The CSM's work through the API: logging on the timeline and making a task by hand (issue 15)."""

from __future__ import annotations

from datetime import date

from django.test import Client

from accounts.models import Account, TimelineEntry, User
from health.models import Task
from tests.accounts.api.test_writes import call
from tests.conftest import api_key


def test_log_read_change_and_delete_a_call(client: Client, csm: User, vp: User, own_account: Account) -> None:
    contact = own_account.contacts.get()
    body = {
        "account_id": own_account.external_id,
        "kind": "call",
        "occurred_on": "2024-06-01",
        "text": "Renewal call",
        "contacts": [contact.external_id],
    }
    response = call(client, "post", "/api/v1/timeline/", body, csm)
    assert response.status_code == 201, response.json()
    made = response.json()
    assert (made["kind"], made["occurred_on"], made["contacts"], made["author"]) == (
        "call",
        "2024-06-01",
        [contact.external_id],
        csm.email,
    )
    listed = client.get(
        "/api/v1/timeline/",
        {"account_id": own_account.external_id},
        HTTP_AUTHORIZATION=f"Token {api_key(vp)}",
    ).json()
    assert [entry["id"] for entry in listed["results"]] == [made["id"]]
    url = f"/api/v1/timeline/{made['id']}/"
    assert call(client, "put", url, {**body, "text": "Changed"}, vp).status_code == 403
    changed = call(client, "put", url, {**body, "text": "Changed", "contacts": []}, csm)
    assert (
        changed.status_code == 200
        and changed.json()["text"] == "Changed"
        and changed.json()["contacts"] == []
    )
    assert client.delete(url, HTTP_AUTHORIZATION=f"Token {api_key(csm)}").status_code == 204
    assert not TimelineEntry.objects.exists()


def test_bad_entries_name_the_field(
    client: Client, csm: User, own_account: Account, other_account: Account
) -> None:
    base = {"account_id": own_account.external_id, "kind": "call", "occurred_on": "2024-06-01", "text": "x"}
    cases = [
        ({**base, "kind": "fax"}, "kind"),
        ({**base, "occurred_on": "2999-01-01"}, "occurred_on"),
        ({**base, "text": ""}, "text"),
        ({**base, "contacts": [other_account.contacts.get().external_id]}, "contacts"),
        ({**base, "account_id": other_account.external_id}, "account_id"),
    ]
    for body, field in cases:
        response = call(client, "post", "/api/v1/timeline/", body, csm)
        assert response.status_code == 400, body
        assert [error["field"] for error in response.json()["errors"]] == [field], response.json()
    assert not TimelineEntry.objects.exists()


def test_make_a_task_for_a_teammate(
    client: Client, csm: User, vp: User, other_csm: User, own_account: Account
) -> None:
    body = {"account_id": own_account.external_id, "title": "Approve the discount", "due_on": "2030-01-10"}
    refused = call(client, "post", "/api/v1/tasks/", {**body, "assignee": other_csm.email}, csm)
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "assignee"
    response = call(client, "post", "/api/v1/tasks/", {**body, "assignee": vp.email, "priority": "high"}, csm)
    assert response.status_code == 201, response.json()
    task = Task.objects.get()
    assert (task.assignee, task.priority, task.due_on, task.created_by, task.kind) == (
        vp,
        "high",
        date(2030, 1, 10),
        csm,
        "manual",
    )
    shown = response.json()
    assert (shown["assignee"], shown["created_by"], shown["priority"]) == (vp.email, csm.email, "high")
    default = call(client, "post", "/api/v1/tasks/", body, vp).json()
    assert default["assignee"] == csm.email  # the account's CSM
