"""The surveys API (surveys/api.py): everyone lists and reads surveys and results (a CSM over their own accounts),
admins create and send; errors in the project's shape, never a 500 for bad input."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from pytest_django import DjangoCaptureOnCommitCallbacks
from rest_framework.test import APIClient

from accounts.models import Account, User
from surveys.models import Survey
from surveys.services import survey_close, survey_create
from surveys.services.answers import response_record
from tests.surveys.answering import invitations_of, survey_sent
from tests.surveys.conftest import Send

pytestmark = pytest.mark.django_db

SURVEYS = reverse("api-surveys")


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def as_user(api: APIClient, user: User) -> APIClient:
    api.force_authenticate(user)
    return api


def errors(response: Any) -> list[dict[str, Any]]:
    assert set(response.json()) == {"errors"}, response.json()
    return response.json()["errors"]


@pytest.fixture
def spring(own_account: Account, other_account: Account, send: Send) -> Survey:
    """Sent to hana (Harbor Lights, Alice's) and zed (Zephyr, Bob's); hana 3 "Slow" in March, zed 10 "Great"
    in April."""
    survey = survey_sent(send, [own_account, other_account], name="Spring")
    invitations = invitations_of(survey)
    for email, score, comment, when in (
        ("hana@harbor.example", 3, "Slow", "2025-03-03T10:00:00+00:00"),
        ("zed@zephyr.example", 10, "Great", "2025-04-04T10:00:00+00:00"),
    ):
        response_record(
            invitation=invitations[email], score=score, comment=comment, now=datetime.fromisoformat(when)
        )
    return survey


def test_everyone_lists_surveys_with_figures_over_their_accounts(
    api: APIClient, spring: Survey, vp: User, csm: User, own_account: Account, other_account: Account
) -> None:
    survey_create(
        name="Picked", kind="ces", audience="accounts", account_ids=[own_account.pk, other_account.pk]
    )
    body = as_user(api, vp).get(SURVEYS).json()
    assert body["count"] == 2
    picked, first = body["results"]
    assert (picked["name"], picked["accounts"], picked["status"]) == (
        "Picked",
        ["ACC-OWN-1", "ACC-SECRET-9"],
        "draft",
    )
    assert (first["invitations_sent"], first["answers"], first["response_rate"]) == (2, 2, 1.0)
    assert first["kind"] == "nps" and first["round"] == 1 and first["audience"] == "accounts"
    body = as_user(api, csm).get(SURVEYS).json()
    picked, first = body["results"]
    assert picked["accounts"] == ["ACC-OWN-1"]  # Bob's account is not Alice's to see
    assert (first["invitations_sent"], first["answers"]) == (1, 1)


def test_an_admin_creates_a_draft(api: APIClient, admin_user: User, own_account: Account) -> None:
    response = as_user(api, admin_user).post(
        SURVEYS,
        {
            "name": "Q3",
            "kind": "csat",
            "audience": "accounts",
            "accounts": ["ACC-OWN-1"],
            "closes_on": "2099-01-31",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (
        body["status"] == "draft" and body["accounts"] == ["ACC-OWN-1"] and body["closes_on"] == "2099-01-31"
    )
    assert body["question"] == "How satisfied are you with our product and service?"
    survey = Survey.objects.get(pk=body["id"])
    assert survey.created_by == admin_user
    assert api.get(reverse("api-survey", args=[survey.pk])).json() == body


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({"name": "x"}, "kind", "This field is required."),
        ({"name": "x", "kind": "abc"}, "kind", '"abc" is not a valid choice.'),
        ({"name": "", "kind": "nps"}, "name", "Give the survey a name."),
        ({"name": "x", "kind": "nps", "every_days": "often"}, "every_days", "A valid integer is required."),
        (
            {"name": "x", "kind": "nps", "every_days": 0},
            "every_days",
            "A whole number of days from 1 to 3650, or blank.",
        ),
        ({"name": "x", "kind": "nps", "closes_on": "31/01/2099"}, "closes_on", None),
        ({"name": "x", "kind": "nps", "closes_on": "2001-01-01"}, "closes_on", None),
        (
            {"name": "x", "kind": "nps", "audience": "segment"},
            "segment",
            "Choose the segment whose paying accounts are asked.",
        ),
        (
            {"name": "x", "kind": "nps", "audience": "accounts", "accounts": ["NOPE"]},
            "accounts",
            "No account has the id NOPE.",
        ),
        ({"name": "x", "kind": "nps", "accounts": "ACC-OWN-1"}, "accounts", None),
        ({"name": "x", "kind": "nps", "reminder_days": 10, "every_days": 5}, "reminder_days", None),
    ],
)
def test_bad_input_is_a_400_naming_the_field(
    api: APIClient, admin_user: User, payload: dict[str, Any], field: str, message: str | None
) -> None:
    response = as_user(api, admin_user).post(SURVEYS, payload, format="json")
    assert response.status_code == 400
    (error,) = errors(response)
    assert error["field"] == field
    if message is not None:
        assert error["message"] == message
    assert not Survey.objects.exists()


def test_a_body_that_is_not_json_is_a_400(api: APIClient, admin_user: User) -> None:
    response = as_user(api, admin_user).post(SURVEYS, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert errors(response)[0]["field"] is None


def test_only_admins_create_and_send(api: APIClient, csm: User, vp: User, spring: Survey) -> None:
    for user in (csm, vp):
        response = as_user(api, user).post(SURVEYS, {"name": "x", "kind": "nps"}, format="json")
        assert response.status_code == 403
        assert errors(response) == [{"field": None, "message": "Only admins may create and send surveys."}]
        assert api.post(reverse("api-survey-send", args=[spring.pk])).status_code == 403
    assert APIClient().get(SURVEYS).status_code == 401


def test_send_queues_what_is_due(
    api: APIClient,
    admin_user: User,
    own_account: Account,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    survey = survey_create(name="Go", kind="nps", audience="accounts", account_ids=[own_account.pk])
    url = reverse("api-survey-send", args=[survey.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(api, admin_user).post(url)
    assert response.status_code == 202
    assert response.json()["queued"] == 1
    assert response.json()["survey"]["round"] == 1
    survey.refresh_from_db()
    assert survey.status == "open"  # once the batch is sent
    assert [message.to for message in mail.outbox] == [["hana@harbor.example"]]
    with django_capture_on_commit_callbacks(execute=True):
        assert api.post(url).json()["queued"] == 0
    survey_close(survey=survey)
    response = api.post(url)
    assert response.status_code == 409
    assert errors(response) == [{"field": None, "message": "This survey is closed: nothing is sent."}]
    assert api.post(reverse("api-survey-send", args=[survey.pk + 99])).status_code == 404


def test_results_scoped_like_the_page(
    api: APIClient, spring: Survey, vp: User, csm: User, other_csm: User
) -> None:
    """VP: sent 2, answered 2; March hana 3 → NPS −100, April zed 10 → 100. Alice: hana's only."""
    url = reverse("api-survey-results", args=[spring.pk])
    body = as_user(api, vp).get(url).json()
    assert {key: body[key] for key in ("survey", "kind", "invitations_sent", "answers", "response_rate")} == {
        "survey": spring.pk,
        "kind": "nps",
        "invitations_sent": 2,
        "answers": 2,
        "response_rate": 1.0,
    }
    assert body["months"] == [
        {"month": "2025-03", "responses": 1, "nps": -100.0},
        {"month": "2025-04", "responses": 1, "nps": 100.0},
    ]
    assert body["distribution"][3] == {"score": 3, "answers": 1} and len(body["distribution"]) == 11
    assert body["comments"]["count"] == 2
    assert body["comments"]["results"][0] == {
        "score": 10,
        "comment": "Great",
        "responded_at": "2025-04-04T10:00:00Z",
        "contact": "zed@zephyr.example",
        "account_id": "ACC-SECRET-9",
        "account_name": "Zephyr Secret Corp",
        "segment": "enterprise",
        "csm": "bob@keel.test",
    }
    low = api.get(url + "?score=0-6").json()["comments"]
    assert [comment["comment"] for comment in low["results"]] == ["Slow"]
    body = as_user(api, csm).get(url).json()
    assert (body["invitations_sent"], body["answers"]) == (1, 1)
    assert [comment["account_id"] for comment in body["comments"]["results"]] == ["ACC-OWN-1"]
    response = api.get(url + f"?csm={other_csm.pk}")
    assert response.status_code == 404
    assert errors(response)[0]["field"] is None
    assert api.get(url + f"?csm={csm.pk}").status_code == 200


@pytest.mark.parametrize("query", ["?score=11", "?score=abc", "?score=5-2"])
def test_a_bad_results_filter_is_a_400(api: APIClient, spring: Survey, vp: User, query: str) -> None:
    response = as_user(api, vp).get(reverse("api-survey-results", args=[spring.pk]) + query)
    assert response.status_code == 400
    assert errors(response)[0]["field"] == "score"


def test_an_unknown_survey_is_a_404(api: APIClient, vp: User) -> None:
    as_user(api, vp)
    for name in ("api-survey", "api-survey-results"):
        response = api.get(reverse(name, args=[12345]))
        assert response.status_code == 404
        assert errors(response) == [{"field": None, "message": "No such survey."}]


def test_the_schema_describes_the_surveys_api() -> None:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = schema["paths"]
    for path in (
        "/api/v1/surveys/",
        "/api/v1/surveys/{id}/",
        "/api/v1/surveys/{id}/send/",
        "/api/v1/surveys/{id}/results/",
    ):
        assert path in paths, sorted(paths)
    assert "post" in paths["/api/v1/surveys/"] and "get" in paths["/api/v1/surveys/"]
