"""An admin makes an API token on its page, a script uses the key against the live server, the admin revokes it
and the key stops working; the API's docs page renders Swagger UI from Keel's own static files."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from playwright.sync_api import expect

from accounts.models import Account, User

if TYPE_CHECKING:
    from playwright.sync_api import Page, Request
    from pytest_django.live_server_helper import LiveServer


def _get(url: str, key: str) -> tuple[int, object]:
    request = urllib.request.Request(url, headers={"Authorization": f"Token {key}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_an_admin_makes_a_token_a_script_uses_it_and_the_admin_revokes_it(
    page: Page,
    live_server: LiveServer,
    login: Callable[..., None],
    screenshot: Callable[..., Path],
    admin_user: User,
    csm: User,
    own_account: Account,
    other_account: Account,
) -> None:
    login(page, admin_user)
    page.locator(".mainnav").get_by_role("link", name="Data").click()
    page.locator(".tabs").get_by_role("link", name="API tokens").click()
    page.wait_for_url("**/settings/api-tokens/")
    page.get_by_label("Name").fill("CRM sync")
    page.get_by_label("Acts as").select_option(label=str(csm))
    page.get_by_role("button", name="Make").click()
    expect(page.get_by_text("Copy its key now")).to_be_visible()
    key = page.locator("code.token-key").inner_text()
    assert key.startswith("keel_")
    screenshot(page, "api-tokens.png", full_page=True)

    status, body = _get(f"{live_server.url}/api/v1/accounts/", key)
    assert status == 200
    assert [row["id"] for row in body["results"]] == ["ACC-OWN-1"]  # type: ignore[index]

    page.goto("/settings/api-tokens/")
    expect(page.locator("code.token-key")).to_have_count(0)  # shown once
    page.get_by_role("button", name="Revoke").click()
    expect(page.get_by_text("Revoked “CRM sync”")).to_be_visible()
    status, body = _get(f"{live_server.url}/api/v1/accounts/", key)
    assert status == 401


def test_the_docs_page_renders_from_local_files(
    page: Page,
    login: Callable[..., None],
    screenshot: Callable[..., Path],
    admin_user: User,
    live_server: LiveServer,
) -> None:
    outside: list[str] = []

    def note(request: Request) -> None:
        if not request.url.startswith(live_server.url) and not request.url.startswith("data:"):
            outside.append(request.url)

    page.on("request", note)
    login(page, admin_user)
    page.goto("/api/v1/docs/")
    expect(page.get_by_text("/api/v1/usage/").first).to_be_visible()
    screenshot(page, "api-docs.png")
    assert not outside, outside
