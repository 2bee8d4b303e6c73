"""API tokens: admins make and revoke them on a page, only a hash of the key is kept, a token acts as its user
(scoped by their role), and a revoked token or a deactivated user is a 401. Sessions still work, with CSRF."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Account, ApiToken, User
from accounts.services.api_tokens import api_token_hash

pytestmark = pytest.mark.django_db


def make_token(client: Client, admin_user: User, user: User, name: str = "CRM sync") -> str:
    client.force_login(admin_user)
    response = client.post(reverse("api_tokens"), {"name": name, "user": user.pk})
    assert response.status_code == 200
    key = re.search(r'<code class="token-key">([^<]+)</code>', response.content.decode())
    assert key is not None
    client.logout()
    return key.group(1)


def test_the_key_is_shown_once_and_only_its_hash_is_kept(client: Client, admin_user: User, csm: User) -> None:
    key = make_token(client, admin_user, csm)
    token = ApiToken.objects.get()
    assert token.key_hash == api_token_hash(key) and key not in (token.key_hash, token.prefix)
    assert (token.user, token.created_by, token.name) == (csm, admin_user, "CRM sync")
    client.force_login(admin_user)
    page = client.get(reverse("api_tokens")).content.decode()
    assert key not in page and token.prefix in page and "CRM sync" in page


def test_a_token_acts_as_its_user_and_is_scoped_by_their_role(
    client: Client, admin_user: User, csm: User, own_account: Account, other_account: Account
) -> None:
    key = make_token(client, admin_user, csm)
    response = client.get("/api/v1/accounts/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [own_account.external_id]
    assert ApiToken.objects.get().last_used_at is not None


def test_revoked_tokens_and_deactivated_users_are_a_401(
    client: Client, admin_user: User, csm: User, vp: User, own_account: Account
) -> None:
    key = make_token(client, admin_user, csm)
    vp_key = make_token(client, admin_user, vp, name="VP script")
    client.force_login(admin_user)
    token = ApiToken.objects.get(name="CRM sync")
    assert client.post(reverse("api_token_revoke", args=[token.pk])).status_code == 302
    client.logout()
    response = client.get("/api/v1/accounts/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 401
    assert response.json()["errors"][0]["message"]
    assert response["WWW-Authenticate"] == "Token"
    User.objects.filter(pk=vp.pk).update(is_active=False)
    assert client.get("/api/v1/accounts/", HTTP_AUTHORIZATION=f"Token {vp_key}").status_code == 401
    assert client.get("/api/v1/accounts/", HTTP_AUTHORIZATION="Token keel_not-a-key").status_code == 401
    assert client.get("/api/v1/accounts/").status_code == 401


def test_the_session_works_for_the_browsable_api_with_csrf(admin_user: User, own_account: Account) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    assert client.get("/api/v1/accounts/", HTTP_ACCEPT="text/html").status_code == 200
    url = f"/api/v1/accounts/{own_account.external_id}/"
    refused = client.put(url, '{"name": "Renamed"}', content_type="application/json")
    assert refused.status_code == 403  # no CSRF token
    client.get(reverse("api_tokens"))  # a page sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    done = client.put(url, '{"name": "Renamed"}', content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert done.status_code == 200
    assert Account.objects.get(pk=own_account.pk).name == "Renamed"
