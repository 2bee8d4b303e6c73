"""Someone added to the team without a password chooses one from the emailed link, then logs in."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from django.core import mail
from playwright.sync_api import expect

from accounts.models import Role, User
from accounts.users import user_create

if TYPE_CHECKING:
    from playwright.sync_api import Page

NEW_PASSWORD = "lanterns over the bay"


def test_a_new_user_sets_a_password_from_the_email_and_logs_in(
    page: Page, login: Callable[..., None], screenshot: Callable[..., Path], admin_user: User
) -> None:
    nina = user_create(email="nina@keel.test", name="Nina New", role=Role.CSM, invited_by=admin_user)

    page.goto("/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill("NINA@keel.test")
    screenshot(page, "password-reset.png")
    page.get_by_role("button", name="Email me a link").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()

    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/\s]+(/password/reset/\S+/\S+/)", str(mail.outbox[0].body))
    assert link
    page.goto(link.group(1))
    expect(page.get_by_role("heading", name="Choose a password")).to_be_visible()
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    screenshot(page, "password-choose.png", full_page=True)
    page.get_by_role("button", name="Set password").click()
    expect(page.get_by_role("heading", name="Your password is set")).to_be_visible()

    page.get_by_role("link", name="Log in").click()
    login(page, nina, NEW_PASSWORD)
    page.locator(".mainnav").get_by_role("link", name="Accounts").click()
    expect(page.get_by_text("You do not own any accounts")).to_be_visible()
