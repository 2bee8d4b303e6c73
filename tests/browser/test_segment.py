"""An admin creates a Segment write key in the browser, copies it once, and a batch sent with it is counted;
then revokes it."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from accounts.models import UsageEvent, User
from tests.factories import AccountFactory

if TYPE_CHECKING:
    from playwright.sync_api import Page
    from pytest_django.live_server_helper import LiveServer


def _send(url: str, key: str) -> int:
    body = json.dumps(
        {"batch": [{"type": "track", "userId": "u-1", "event": "Login", "context": {"groupId": "ACME"}}]}
    ).encode()
    request = urllib.request.Request(f"{url}/v1/batch", data=body, method="POST")
    request.add_header("Content-Type", "application/json")
    request.add_header("Authorization", "Basic " + base64.b64encode(f"{key}:".encode()).decode())
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.django_db(transaction=True)
def test_an_admin_creates_uses_and_revokes_a_write_key(
    page: Page,
    live_server: LiveServer,
    login: Callable[..., None],
    screenshot: Callable[..., Path],
    admin_user: User,
) -> None:
    AccountFactory.create(external_id="ACME")
    login(page, admin_user)
    page.locator(".mainnav").get_by_role("link", name="Data").click()
    page.locator(".tabs").get_by_role("link", name="Segment").click()
    page.wait_for_url("**/settings/segment/")
    expect(page.get_by_text("No write key yet")).to_be_visible()
    page.get_by_label("Name").fill("Production backend")
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_text("Copy it now")).to_be_visible()
    secret = page.get_by_role("textbox", name="Write key").input_value()
    screenshot(page, "segment-new-key.png", full_page=True)
    assert _send(live_server.url, secret) == 200
    assert UsageEvent.objects.filter(account__external_id="ACME", event="Login").count() == 1
    page.goto("/settings/segment/")
    expect(page.locator("#keys").get_by_text("Live")).to_be_visible()
    screenshot(page, "segment.png", full_page=True)
    page.get_by_role("button", name="Revoke").click()
    expect(page.get_by_text("Revoked “Production backend”")).to_be_visible()
    assert _send(live_server.url, secret) == 401
