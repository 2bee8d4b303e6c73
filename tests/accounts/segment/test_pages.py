"""The Segment page (admins): create a write key (shown once, only its hash kept), revoke it."""

from __future__ import annotations

import hashlib
import re

import pytest
from django.test import Client

from accounts.models import SegmentWriteKey, User
from tests.accounts.segment.conftest import basic

pytestmark = pytest.mark.django_db


def test_an_admin_creates_a_key_that_is_shown_once_and_works(client: Client, admin_user: User) -> None:
    client.force_login(admin_user)
    response = client.post("/settings/segment/", {"name": "Production backend"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    secret = re.search(r'id="secret"[^>]*value="([^"]+)"', html).group(1)  # type: ignore[union-attr]
    key = SegmentWriteKey.objects.get()
    assert (key.name, key.created_by, key.last_used_at) == ("Production backend", admin_user, None)
    assert key.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in client.get("/settings/segment/").content.decode()  # never shown again
    body = b'{"userId": "u-1", "event": "Login"}'
    assert (
        client.post("/v1/track", body, "application/json", HTTP_AUTHORIZATION=basic(secret)).status_code
        == 200
    )
    key.refresh_from_db()
    assert key.last_used_at is not None
    page = client.get("/settings/segment/").content.decode()
    assert "Production backend" in page and f"{key.prefix}…" in page and "Live" in page


def test_a_revoked_key_is_refused(client: Client, admin_user: User) -> None:
    client.force_login(admin_user)
    client.post("/settings/segment/", {"name": "Old"})
    key = SegmentWriteKey.objects.get()
    response = client.post(f"/settings/segment/{key.pk}/revoke/", follow=True)
    assert "Revoked “Old”" in response.content.decode()
    key.refresh_from_db()
    assert key.revoked_at is not None
    first = key.revoked_at
    client.post(f"/settings/segment/{key.pk}/revoke/")
    key.refresh_from_db()
    assert key.revoked_at == first


def test_a_key_needs_a_name(client: Client, admin_user: User) -> None:
    client.force_login(admin_user)
    response = client.post("/settings/segment/", {"name": ""})
    assert response.status_code == 400
    assert not SegmentWriteKey.objects.exists()


def test_the_data_pages_link_the_page(client: Client, admin_user: User, csm: User) -> None:
    client.force_login(admin_user)
    assert 'href="/settings/segment/"' in client.get("/data/").content.decode()  # a tab of the Data pages
    client.force_login(csm)
    assert 'href="/settings/segment/"' not in client.get("/accounts/").content.decode()
