"""Writes through the API validate like the importer, are idempotent and all or nothing (DATA.md §2)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.test import Client

from accounts.models import (
    Account,
    AccountOwnership,
    ChangedUsageDay,
    Contact,
    SubscriptionSpan,
    Ticket,
    UsageEvent,
    User,
)
from accounts.selectors.sources import source_days
from tests.conftest import api_key

pytestmark = pytest.mark.django_db


def call(client: Client, method: str, url: str, body: Any, user: User) -> Any:
    return getattr(client, method)(
        url,
        json.dumps(body) if not isinstance(body, str | bytes) else body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {api_key(user)}",
    )


def test_put_an_account_twice_changes_nothing_the_second_time(
    client: Client, admin_user: User, csm: User
) -> None:
    body = {
        "name": "Acme",
        "segment": "smb",
        "csm_email": "ALICE@keel.test",
        "seats": 12,
        "created_on": "2024-01-05",
    }
    first = call(client, "put", "/api/v1/accounts/ACME-1/", body, admin_user)
    assert first.status_code == 201, first.json()
    assert first.json()["csm_email"] == "alice@keel.test"  # emails compare case-insensitively
    stored = Account.objects.get(external_id="ACME-1")
    second = call(client, "put", "/api/v1/accounts/ACME-1/", body, admin_user)
    assert second.status_code == 200
    again = Account.objects.get(external_id="ACME-1")
    assert again.updated_at == stored.updated_at  # nothing was written
    assert second.json() == first.json()
    assert [day.accepted for day in source_days(source="api")] == [2]


def test_a_bad_account_says_which_field_and_why_and_stores_nothing(client: Client, admin_user: User) -> None:
    body = {
        "name": "",
        "seats": -3,
        "created_on": "2024-02-30",
        "csm_email": "nobody@keel.test",
        "color": "red",
    }
    response = call(client, "put", "/api/v1/accounts/BAD-1/", body, admin_user)
    assert response.status_code == 400
    assert response.json() == {
        "errors": [{"field": "color", "message": response.json()["errors"][0]["message"]}]
    }
    del body["color"]
    response = call(client, "put", "/api/v1/accounts/BAD-1/", body, admin_user)
    assert response.status_code == 400
    fields = {error["field"] for error in response.json()["errors"]}
    assert fields == {"name", "seats", "created_on", "csm_email"}, response.json()
    assert not Account.objects.filter(external_id="BAD-1").exists()
    assert [day.rejected for day in source_days(source="api")] == [2]


@pytest.mark.parametrize(
    "body",
    [
        "{not json",
        "[1, 2]",
        '"text"',
        '{"name": {"a": 1}}',
        '{"name": true}',
        '{"name": "a\\u0000b"}',
        '{"name": "x", "seats": 1e999}',
        '{"name": "x", "seats": 123456789012345678901234567890}',
    ],
)
def test_malformed_bodies_are_a_400_in_the_error_shape(client: Client, admin_user: User, body: str) -> None:
    response = call(client, "put", "/api/v1/accounts/ODD-1/", body, admin_user)
    assert response.status_code == 400, response.content
    assert response.json()["errors"][0]["message"]
    assert not Account.objects.filter(external_id="ODD-1").exists()


def test_a_csm_writes_only_their_own_book(
    client: Client, csm: User, other_csm: User, own_account: Account, other_account: Account
) -> None:
    created = call(client, "put", "/api/v1/accounts/MINE-1/", {"name": "Mine"}, csm)
    assert created.status_code == 201
    assert created.json()["csm_email"] == csm.email  # a CSM's new account is theirs
    given_away = call(
        client, "put", "/api/v1/accounts/MINE-1/", {"name": "Mine", "csm_email": other_csm.email}, csm
    )
    assert given_away.status_code == 403
    theirs = call(client, "put", f"/api/v1/accounts/{other_account.external_id}/", {"name": "Taken"}, csm)
    assert theirs.status_code == 404
    assert call(client, "get", f"/api/v1/accounts/{other_account.external_id}/", "", csm).status_code == 404
    contact = {"account_id": other_account.external_id, "email": "x@y.example"}
    response = call(client, "put", "/api/v1/contacts/C-NEW/", contact, csm)
    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "account_id", "message": "unknown account 'ACC-SECRET-9'"}]
    assert Account.objects.get(pk=other_account.pk).name == "Zephyr Secret Corp"
    assert not Contact.objects.filter(external_id="C-NEW").exists()


def test_a_csm_change_takes_effect_from_today(
    client: Client, vp: User, csm: User, other_csm: User, own_account: Account
) -> None:
    response = call(
        client,
        "put",
        f"/api/v1/accounts/{own_account.external_id}/",
        {"csm_email": other_csm.email, "name": own_account.name},
        vp,
    )
    assert response.status_code == 200, response.json()
    rows = list(
        AccountOwnership.objects.filter(account=own_account)
        .order_by("valid_from")
        .values_list("csm_id", "valid_to")
    )
    assert [owner for owner, _ in rows] == [csm.pk, other_csm.pk]


def test_subscriptions_are_authoritative_per_subscription(
    client: Client, admin_user: User, own_account: Account
) -> None:
    url = "/api/v1/subscriptions/SUB-9/"
    spans = [
        {"amount": "100.00", "interval": "month", "starts_on": "2024-01-01", "ends_on": "2024-06-01"},
        {"amount": "150.00", "interval": "month", "starts_on": "2024-06-01"},
    ]
    body = {"account_id": own_account.external_id, "spans": spans}
    assert call(client, "put", url, body, admin_user).status_code == 201
    assert call(client, "put", url, body, admin_user).status_code == 200
    corrected = {
        "account_id": own_account.external_id,
        "spans": [{**spans[0], "starts_on": "2024-01-15"}, spans[1]],
    }
    response = call(client, "put", url, corrected, admin_user)
    assert response.status_code == 200
    starts = list(
        SubscriptionSpan.objects.filter(subscription_id="SUB-9")
        .values_list("starts_on", flat=True)
        .order_by("starts_on")
    )
    assert starts == [date(2024, 1, 15), date(2024, 6, 1)]
    overlapping = {
        "account_id": own_account.external_id,
        "spans": [spans[0], {**spans[1], "starts_on": "2024-05-01"}],
    }
    response = call(client, "put", url, overlapping, admin_user)
    assert response.status_code == 400
    assert any(error["field"].startswith("spans[") for error in response.json()["errors"]), response.json()


def test_tickets_put_get_delete(client: Client, admin_user: User, own_account: Account) -> None:
    body = {
        "account_id": own_account.external_id,
        "created_at": "2024-03-01T10:00:00Z",
        "resolved_at": "2024-02-01T10:00:00Z",
    }
    response = call(client, "put", "/api/v1/tickets/T-1/", body, admin_user)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "resolved_at"
    body["resolved_at"] = "2024-03-02T10:00:00+01:00"
    assert call(client, "put", "/api/v1/tickets/T-1/", body, admin_user).status_code == 201
    assert call(client, "get", "/api/v1/tickets/?account_id=ACC-OWN-1", "", admin_user).json()["count"] == 1
    assert call(client, "delete", "/api/v1/tickets/T-1/", "", admin_user).status_code == 204
    assert not Ticket.objects.exists()


def _events(n: int, account: str = "ACC-OWN-1") -> list[dict[str, Any]]:
    return [
        {
            "account_id": account,
            "user_id": f"u{i % 50}",
            "event": "login",
            "occurred_at": f"2024-05-{1 + i % 28:02d}T{i % 24:02d}:00:{i % 60:02d}Z",
        }
        for i in range(n)
    ]


def test_bulk_usage_is_all_or_nothing_and_marks_the_days(
    client: Client, admin_user: User, own_account: Account
) -> None:
    events = _events(500)
    events[12]["occurred_at"] = "2024-05-01T10:00:00"  # no offset
    response = call(client, "post", "/api/v1/usage/", {"events": events}, admin_user)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "events[12].occurred_at"
    assert not UsageEvent.objects.exists()
    ChangedUsageDay.objects.all().delete()
    events[12]["occurred_at"] = "2024-05-01T10:00:00+02:00"
    response = call(client, "post", "/api/v1/usage/", {"events": events}, admin_user)
    assert response.status_code == 200, response.json()
    stored = UsageEvent.objects.count()
    assert response.json()["created"] == stored > 0
    assert ChangedUsageDay.objects.filter(day=date(2024, 5, 1)).exists()
    again = call(client, "post", "/api/v1/usage/", {"events": events}, admin_user)
    assert again.status_code == 200
    assert UsageEvent.objects.count() == stored  # the key dedupes


def test_bulk_usage_refuses_more_than_ten_thousand_events(
    client: Client, admin_user: User, own_account: Account
) -> None:
    response = call(client, "post", "/api/v1/usage/", {"events": _events(10_001)}, admin_user)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "events"


def test_a_csm_cannot_post_usage_of_another_book(
    client: Client, csm: User, own_account: Account, other_account: Account
) -> None:
    events = _events(3) + _events(1, other_account.external_id)
    response = call(client, "post", "/api/v1/usage/", {"events": events}, csm)
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "events[3].account_id", "message": "unknown account 'ACC-SECRET-9'"}
    ]
    assert not UsageEvent.objects.exists()
    assert datetime(2024, 1, 1, tzinfo=UTC)


def test_a_body_past_the_upload_limit_is_a_413(
    client: Client, admin_user: User, own_account: Account
) -> None:
    huge = '{"events": [' + ",".join(['{"account_id": "ACC-OWN-1"}'] * 400_000) + "]}"
    response = call(client, "post", "/api/v1/usage/", huge, admin_user)
    assert response.status_code == 413
    assert response.json()["errors"][0]["message"].startswith("The body is larger than")


def test_the_body_may_repeat_the_id_of_the_url_but_not_another(client: Client, admin_user: User) -> None:
    same = call(client, "put", "/api/v1/accounts/SAME-1/", {"id": "SAME-1", "name": "Same"}, admin_user)
    assert same.status_code == 201
    other = call(client, "put", "/api/v1/accounts/SAME-1/", {"id": "OTHER-1", "name": "Same"}, admin_user)
    assert other.status_code == 400
    assert other.json()["errors"][0]["field"] == "id"


def test_a_required_field_left_out_is_named(client: Client, admin_user: User, own_account: Account) -> None:
    response = call(
        client, "put", "/api/v1/contacts/C-9/", {"account_id": own_account.external_id}, admin_user
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "email", "message": "a value is required"}]
