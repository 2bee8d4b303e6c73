"""The permission cases of the REST API of the raw facts (accounts.api), the API's schema and docs, and the API
tokens page: part of tests/test_permissions.py's matrix, over the same `World` (tests/permission_cases.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from django.urls import reverse

from accounts.models import ApiToken, Contact, Ticket
from accounts.services import api_token_create
from tests.permission_cases import (
    ADMIN,
    ADMIN_ONLY,
    ANON,
    CSM,
    EVERYONE,
    VP,
    Case,
    World,
    api,
    pages,
    timeline_entry,
)


@dataclass(frozen=True)
class Facts:
    own_contact: Contact
    other_contact: Contact
    own_ticket: Ticket
    other_ticket: Ticket
    own_token: ApiToken


LOGGED_CALL = {"account_id": "ACC-OWN-1", "kind": "call", "occurred_on": "2024-06-01", "text": "Renewal call"}


def facts(w: World) -> Facts:
    """A ticket of Alice's and of Bob's account, and an API token: made by the first case that asks."""
    made = {"email": "someone@example.com"}
    contacts = [
        Contact.objects.get_or_create(external_id=external_id, defaults={"account": account, **made})[0]
        for account, external_id in (
            (w.own, "C-OWN-1"),
            (w.other, "C-SECRET-9"),
        )
    ]
    tickets = []
    for account, external_id in ((w.own, "T-OWN-1"), (w.other, "T-SECRET-9")):
        ticket, _ = Ticket.objects.get_or_create(
            external_id=external_id,
            defaults={
                "account": account,
                "created_at": datetime(2024, 6, 3, 9, tzinfo=UTC),
                "subject": "Help",
            },
        )
        tickets.append(ticket)
    token = (
        ApiToken.objects.filter(name="Permissions").first()
        or api_token_create(name="Permissions", user=w.csm, created_by=w.admin)[0]
    )
    return Facts(
        own_contact=contacts[0],
        other_contact=contacts[1],
        own_ticket=tickets[0],
        other_ticket=tickets[1],
        own_token=token,
    )


def detail(name: str, pick: Callable[[World], str]) -> Callable[[World], str]:
    return lambda w: reverse(name, args=[pick(w)])


def own_id(w: World) -> str:
    return w.own.external_id


def other_id(w: World) -> str:
    return w.other.external_id


EVENT = {"user_id": "u1", "event": "login", "occurred_at": "2024-06-03T10:00:00Z"}


API_CASES = [
    # The REST API of the raw facts (accounts.api): a CSM reads and writes only their book
    Case("api-schema", "API schema", lambda w: reverse("api-schema"), api(200, 200, 200)),
    Case("api-docs", "API docs page", lambda w: reverse("api-docs"), EVERYONE),
    Case(
        "api-not-found",
        "unknown API path",
        lambda w: "/api/v2/nothing/",
        {ANON: 404, CSM: 404, VP: 404, ADMIN: 404},
    ),
    Case("api-accounts-list", "API accounts", lambda w: reverse("api-accounts-list"), api(200, 200, 200)),
    Case(
        "api-accounts-detail",
        "API own account",
        detail("api-accounts-detail", own_id),
        api(200, 200, 200),
    ),
    Case(
        "api-accounts-detail",
        "API another CSM's account",
        detail("api-accounts-detail", other_id),
        api(404, 200, 200),
    ),
    Case(
        "api-accounts-detail",
        "API PUT own account",
        detail("api-accounts-detail", own_id),
        api(200, 200, 200),
        method="put",
        json={"name": "Harbor Lights Inc"},
    ),
    Case(
        "api-accounts-detail",
        "API PUT another CSM's account",
        detail("api-accounts-detail", other_id),
        api(404, 200, 200),
        method="put",
        json={"name": "Zephyr Secret Corp"},
    ),
    Case(
        "api-accounts-detail",
        "API PUT a new account for another CSM",
        lambda w: reverse("api-accounts-detail", args=["ACC-NEW-1"]),
        api(403, 201, 200),
        method="put",
        json={"name": "New One", "csm_email": "bob@keel.test"},
    ),
    Case("api-contacts-list", "API contacts", lambda w: reverse("api-contacts-list"), api(200, 200, 200)),
    Case(
        "api-contacts-detail",
        "API own contact",
        detail("api-contacts-detail", lambda w: facts(w).own_contact.external_id),
        api(200, 200, 200),
    ),
    Case(
        "api-contacts-detail",
        "API PUT another CSM's contact",
        detail("api-contacts-detail", lambda w: facts(w).other_contact.external_id),
        api(404, 200, 200),
        method="put",
        json={"account_id": "ACC-SECRET-9", "email": "zed@zephyr.example", "name": "Zed Secret"},
    ),
    Case(
        "api-contacts-detail",
        "API DELETE another CSM's contact",
        detail("api-contacts-detail", lambda w: facts(w).other_contact.external_id),
        api(404, 204, 204),
        method="delete",
    ),
    Case("api-tickets-list", "API tickets", lambda w: reverse("api-tickets-list"), api(200, 200, 200)),
    Case(
        "api-tickets-detail",
        "API another CSM's ticket",
        detail("api-tickets-detail", lambda w: facts(w).other_ticket.external_id),
        api(404, 200, 200),
    ),
    Case(
        "api-tickets-detail",
        "API PUT own ticket",
        detail("api-tickets-detail", lambda w: facts(w).own_ticket.external_id),
        api(200, 200, 200),
        method="put",
        json={"account_id": "ACC-OWN-1", "created_at": "2024-06-03T09:00:00Z"},
    ),
    Case(
        "api-tickets-detail",
        "API DELETE own ticket",
        detail("api-tickets-detail", lambda w: facts(w).own_ticket.external_id),
        api(204, 204, 204),
        method="delete",
    ),
    Case(
        "api-responses-list",
        "API survey responses",
        lambda w: reverse("api-responses-list"),
        api(200, 200, 200),
    ),
    Case(
        "api-responses-detail",
        "API PUT a response on another CSM's account",
        lambda w: reverse("api-responses-detail", args=["R-NEW-1"]),
        api(400, 201, 200),
        method="put",
        json={
            "kind": "nps",
            "score": 9,
            "responded_at": "2024-06-03T10:00:00Z",
            "account_id": "ACC-SECRET-9",
        },
    ),
    Case(
        "api-responses-detail",
        "API no such response",
        lambda w: reverse("api-responses-detail", args=["R-NONE"]),
        api(404, 404, 404),
    ),
    Case(
        "api-subscriptions-list",
        "API subscription spans",
        lambda w: reverse("api-subscriptions-list"),
        api(200, 200, 200),
    ),
    Case(
        "api-subscriptions-detail",
        "API PUT a subscription of another CSM's account",
        lambda w: reverse("api-subscriptions-detail", args=["SUB-NEW-1"]),
        api(400, 201, 200),
        method="put",
        json={
            "account_id": "ACC-SECRET-9",
            "spans": [{"amount": "100.00", "interval": "month", "starts_on": "2024-01-01"}],
        },
    ),
    Case(
        "api-subscriptions-detail",
        "API a subscription of another CSM's account",
        lambda w: reverse("api-subscriptions-detail", args=[w.other.spans.get().subscription_id]),
        api(404, 200, 200),
    ),
    Case(
        "api-usage",
        "API usage of the own book",
        lambda w: reverse("api-usage"),
        api(200, 200, 200),
        method="post",
        json={"events": [{**EVENT, "account_id": "ACC-OWN-1"}]},
    ),
    Case(
        "api-usage",
        "API usage of another CSM's book",
        lambda w: reverse("api-usage"),
        api(400, 200, 200),
        method="post",
        json={"events": [{**EVENT, "account_id": "ACC-SECRET-9"}]},
    ),
    Case("api-task", "API own task", lambda w: reverse("api-task", args=[w.own_task.pk]), api(200, 200, 200)),
    Case(
        "api-task",
        "API another's task",
        lambda w: reverse("api-task", args=[w.other_task.pk]),
        api(404, 200, 200),
    ),
    Case(
        "api-task-close",
        "API close another's task (closed by the VP)",
        lambda w: reverse("api-task-close", args=[w.other_task.pk]),
        api(404, 200, 409),
        method="post",
        json={"note": "Called them"},
    ),
    Case(
        "api-tasks",
        "API make a task on own account",
        lambda w: reverse("api-tasks"),
        api(201, 201, 201),
        method="post",
        json={"account_id": "ACC-OWN-1", "title": "Send the deck", "due_on": "2030-01-10"},
    ),
    Case(
        "api-tasks",
        "API make a task on another CSM's account",
        lambda w: reverse("api-tasks"),
        api(400, 201, 201),
        method="post",
        json={"account_id": "ACC-SECRET-9", "title": "Send the deck", "due_on": "2030-01-10"},
    ),
    Case("api-timeline", "API timeline entries", lambda w: reverse("api-timeline"), api(200, 200, 200)),
    Case(
        "api-timeline",
        "API log a call on own account",
        lambda w: reverse("api-timeline"),
        api(201, 201, 201),
        method="post",
        json=LOGGED_CALL,
    ),
    Case(
        "api-timeline",
        "API log a call on another CSM's account",
        lambda w: reverse("api-timeline"),
        api(400, 201, 201),
        method="post",
        json={**LOGGED_CALL, "account_id": "ACC-SECRET-9"},
    ),
    Case(
        "api-timeline-entry",
        "API own timeline entry",
        lambda w: reverse("api-timeline-entry", args=[timeline_entry(w)]),
        api(200, 200, 200),
    ),
    Case(
        "api-timeline-entry",
        "API change own timeline entry (its author only)",
        lambda w: reverse("api-timeline-entry", args=[timeline_entry(w)]),
        api(200, 403, 403),
        method="put",
        json={**LOGGED_CALL, "text": "Changed"},
    ),
    Case(
        "api-timeline-entry",
        "API delete another CSM's timeline entry",
        lambda w: reverse("api-timeline-entry", args=[timeline_entry(w, other=True)]),
        api(404, 403, 403),
        method="delete",
    ),
    # API tokens (admins)
    Case("api_tokens", "API tokens", lambda w: reverse("api_tokens"), ADMIN_ONLY),
    Case(
        "api_tokens",
        "make an API token without saying for whom",
        lambda w: reverse("api_tokens"),
        pages(403, 403, 400),
        method="post",
        data={"name": "Script"},
    ),
    Case(
        "api_token_revoke",
        "revoke an API token",
        lambda w: reverse("api_token_revoke", args=[facts(w).own_token.pk]),
        pages(403, 403, 302),
        method="post",
    ),
]
