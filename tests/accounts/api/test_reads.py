"""Reads of the API: filters, one record, tasks closed with a note, the schema and its docs page (served from
local files), and unknown paths as JSON 404s."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from django.test import Client

from accounts.models import Account, User
from health.models import Task
from health.reasons import text_reason
from tests.conftest import api_key

pytestmark = pytest.mark.django_db


def auth(user: User) -> dict[str, Any]:
    return {"headers": {"Authorization": f"Token {api_key(user)}"}}


def test_filters_on_lists(client: Client, vp: User, own_account: Account, other_account: Account) -> None:
    rows = client.get("/api/v1/accounts/?segment=enterprise", **auth(vp)).json()["results"]
    assert [row["id"] for row in rows] == [other_account.external_id]
    spans = client.get(f"/api/v1/subscriptions/?account_id={own_account.external_id}", **auth(vp)).json()
    assert [span["account_id"] for span in spans["results"]] == [own_account.external_id]
    bad = client.get("/api/v1/tickets/?created_after=yesterday", **auth(vp))
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "created_after"


def test_a_csm_reads_and_closes_their_task_with_a_note(
    client: Client, csm: User, other_csm: User, own_account: Account, other_account: Account
) -> None:
    def task(account: Account, assignee: User) -> Task:
        return Task.objects.create(
            account=account,
            assignee=assignee,
            kind=Task.Kind.AT_RISK,
            title="At risk",
            reason=text_reason("fell"),
            due_on=date(2024, 7, 1),
        )

    mine, theirs = task(own_account, csm), task(other_account, other_csm)
    headers = auth(csm)
    assert client.get(f"/api/v1/tasks/{mine.pk}/", **headers).json()["account_id"] == own_account.external_id
    assert client.get(f"/api/v1/tasks/{theirs.pk}/", **headers).status_code == 404
    url = f"/api/v1/tasks/{mine.pk}/close/"
    closed = client.post(url, {"note": "Called them"}, content_type="application/json", **headers)
    assert closed.status_code == 200
    assert closed.json()["close_note"] == "Called them" and closed.json()["closed_by"] == csm.email
    again = client.post(url, {"note": "Again"}, content_type="application/json", **headers)
    assert again.status_code == 409
    assert Task.objects.get(pk=mine.pk).close_note == "Called them"


def test_unknown_api_paths_are_json_404s(client: Client, admin_user: User) -> None:
    for path in ("/api", "/api/", "/api/v1/nothing/", "/api/v2/accounts/"):
        response = client.get(path, **auth(admin_user))
        assert response.status_code == 404
        assert response.json()["errors"][0]["message"].startswith("No API at")


def test_the_docs_page_serves_swagger_ui_from_local_static_files(client: Client, admin_user: User) -> None:
    client.force_login(admin_user)
    page = client.get("/api/v1/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in page
    # every script and stylesheet from Keel itself (not the whole page: a random CSRF token may hold "cdn")
    sources = re.findall(r'<(?:script|link)[^>]* (?:src|href)="([^"]+)"', page)
    assert sources and all(source.startswith(("/static/", "/api/", "data:")) for source in sources), sources
    schema = client.get("/api/v1/schema/?format=json").json()
    for path in (
        "/api/v1/accounts/{external_id}/",
        "/api/v1/usage/",
        "/api/v1/health/",
        "/api/v1/metrics/monthly/",
    ):
        assert path in schema["paths"], path
