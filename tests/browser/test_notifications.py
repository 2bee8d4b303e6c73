"""A CSM sets their notifications in the browser: the user menu's link, a refused webhook, a saved one, a test;
an admin's page has the team's channel. On a laptop and on a phone."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from django.core import mail
from playwright.sync_api import expect

from accounts.models import User
from tests.slack import SlackServer

if TYPE_CHECKING:
    from playwright.sync_api import Page

PHONE = {"width": 390, "height": 844}
HOOK = "https://hooks.slack.com/services/T0001/B0001/abcdef"


def fits_the_screen(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_a_csm_sets_their_digest_and_slack_webhook_and_sends_a_test(
    page: Page,
    login: Callable[..., None],
    screenshot: Callable[..., Path],
    csm: User,
    slack: SlackServer,
) -> None:
    login(page, csm)
    page.locator(".usermenu").get_by_role("link", name="Notifications").click()
    page.wait_for_url("**/settings/notifications/")
    expect(page.get_by_role("heading", name="Your digest")).to_be_visible()
    expect(page.get_by_text("No digest yet")).to_be_visible()

    page.get_by_label("My Slack webhook URL").fill("https://hooks.slack.com.evil.example/services/x")
    page.get_by_label("Email me the daily digest").uncheck()
    page.get_by_role("button", name="Save").click()
    expect(
        page.get_by_text(
            "Not Slack's address: a Slack incoming-webhook URL starts with https://hooks.slack.com/."
        )
    ).to_be_visible()
    csm.refresh_from_db()
    assert (csm.daily_digest, csm.slack_webhook_url) == (True, "")
    screenshot(page, "notifications-refused.png", full_page=True)

    page.get_by_label("My Slack webhook URL").fill(HOOK)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your notifications are saved.")).to_be_visible()
    expect(page.get_by_label("Email me the daily digest")).not_to_be_checked()
    csm.refresh_from_db()
    assert (csm.daily_digest, csm.slack_webhook_url) == (False, HOOK)

    # The test posts to what is saved: here the loopback stand-in for Slack, written as only the code could.
    User.objects.filter(pk=csm.pk).update(slack_webhook_url=slack.url)
    page.reload()
    page.get_by_role("button", name="Send a test").click()
    expect(page.get_by_text("A test message went to your email (alice@keel.test).")).to_be_visible()
    expect(page.get_by_text("A test message went to your Slack.")).to_be_visible()
    assert len(slack.accepted) == 1 and len(mail.outbox) == 1
    assert fits_the_screen(page)
    screenshot(page, "notifications.png", full_page=True)

    page.set_viewport_size(PHONE)  # type: ignore[arg-type]
    page.reload()
    expect(page.locator(".usermenu").get_by_role("link", name="Notifications")).to_be_visible()
    assert fits_the_screen(page)
    screenshot(page, "notifications-phone.png", full_page=True)


def test_an_admin_sets_the_team_s_slack_channel(
    page: Page, login: Callable[..., None], screenshot: Callable[..., Path], admin_user: User
) -> None:
    login(page, admin_user)
    page.goto("/settings/notifications/")
    page.get_by_label("Team Slack webhook URL").fill(HOOK)
    page.locator("#team-notifications").get_by_role("button", name="Save").click()
    expect(page.get_by_text("The team's Slack webhook is saved.")).to_be_visible()
    expect(page.locator("#team-notifications").get_by_role("button", name="Send a test")).to_be_visible()
    assert fits_the_screen(page)
    screenshot(page, "notifications-admin.png", full_page=True)
