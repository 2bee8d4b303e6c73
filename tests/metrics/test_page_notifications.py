"""The notification settings page (/settings/notifications/): a person's digest and Slack webhook, the team's
webhook (admins), the test button; a bad webhook URL is refused naming the field, and nothing changes."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import TeamSettings, User
from accounts.users import slack_webhook_url_check
from metrics.models import Notification
from tests.slack import SlackServer

pytestmark = pytest.mark.django_db

URL = "/settings/notifications/"
HOOK = "https://hooks.slack.com/services/T0001/B0001/abcdef"


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _messages(response: Any) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_the_page_shows_a_person_s_settings_and_recent_digests(
    csm: User, django_assert_max_num_queries: Any
) -> None:
    Notification.objects.create(
        user=csm,
        kind="slack",
        day=date(2025, 6, 10),
        state="failed",
        since=datetime(2025, 6, 9, 7, tzinfo=UTC),
        until=datetime(2025, 6, 10, 7, tzinfo=UTC),
        body="…",
        attempts=1,
        last_error="Slack answered 404: no_service",
        next_attempt_at=datetime(2025, 6, 10, 7, tzinfo=UTC),
    )
    client = _client(csm)
    with django_assert_max_num_queries(8):
        response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("notification_settings") == URL
    assert 'name="daily_digest" id="id_daily_digest" checked' in html
    assert "Every day at 07:00 (UTC)" in html
    assert "Slack answered 404: no_service" in html and "10 Jun 2025" in html
    assert "The team's Slack channel" not in html  # admins only
    assert f'href="{URL}" aria-current="page">Notifications</a>' in html  # the user menu's link


def test_a_person_turns_the_digest_off_and_sets_a_slack_webhook(csm: User) -> None:
    response = _client(csm).post(URL, {"form": "mine", "slack_webhook_url": f"  {HOOK} "}, follow=True)
    assert _messages(response) == ["Your notifications are saved."]
    csm.refresh_from_db()
    assert (csm.daily_digest, csm.slack_webhook_url) == (False, HOOK)

    _client(csm).post(URL, {"form": "mine", "daily_digest": "on", "slack_webhook_url": ""})
    csm.refresh_from_db()
    assert (csm.daily_digest, csm.slack_webhook_url) == (True, "")


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://hooks.slack.com/services/T/B/x", "Not https"),
        ("https://hooks.slack.com.evil.example/services/T/B/x", "Not Slack's address"),
        ("https://evil.example/services/T/B/x", "Not Slack's address"),
        ("https://me@hooks.slack.com/services/T/B/x", "Not Slack's address"),
        ("https://hooks.slack.com:8443/services/T/B/x", "Not Slack's address"),
        ("https://hooks.slack.com/", "No webhook path"),
        ("https://hooks.slack.com:port/x", "Not a URL"),
        ("hooks.slack.com/services/T/B/x", "Not https"),
    ],
)
def test_a_webhook_that_is_not_slack_s_is_refused_and_nothing_changes(
    csm: User, url: str, reason: str
) -> None:
    """Keel's server posts to the URL, so only Slack's own https address is taken (README Decisions)."""
    response = _client(csm).post(URL, {"form": "mine", "slack_webhook_url": url})
    assert response.status_code == 400
    errors = response.context["form"].errors["slack_webhook_url"]
    assert errors[0].startswith(
        f"{reason}: a Slack incoming-webhook URL starts with https://hooks.slack.com/"
    )
    csm.refresh_from_db()
    assert (csm.daily_digest, csm.slack_webhook_url) == (True, "")


def test_the_check_takes_slack_s_own_urls() -> None:
    assert slack_webhook_url_check(f" {HOOK}\n") == HOOK
    assert (
        slack_webhook_url_check("https://HOOKS.slack.com/triggers/T/1/x")
        == "https://HOOKS.slack.com/triggers/T/1/x"
    )
    assert slack_webhook_url_check("") == ""


def test_an_admin_sets_the_team_s_webhook_and_a_csm_may_not(csm: User, admin_user: User) -> None:
    assert _client(csm).post(URL, {"form": "team", "team_slack_webhook_url": HOOK}).status_code == 403
    assert not TeamSettings.objects.exists()

    admin = _client(admin_user)
    bad = admin.post(URL, {"form": "team", "team_slack_webhook_url": "https://example.com/hook"})
    assert bad.status_code == 400
    assert bad.context["team_form"].errors["team_slack_webhook_url"][0].startswith("Not Slack's address")
    assert not TeamSettings.objects.exists()

    response = admin.post(URL, {"form": "team", "team_slack_webhook_url": HOOK}, follow=True)
    assert _messages(response) == ["The team's Slack webhook is saved."]
    assert TeamSettings.objects.get(pk=1).slack_webhook_url == HOOK
    html = response.content.decode()
    assert "The team's Slack channel" in html and 'name="to" value="team"' in html


def test_send_a_test_reports_each_channel(csm: User, slack: SlackServer) -> None:
    """The email goes (the test settings' in-memory outbox); the Slack webhook answers 404: both said."""
    User.objects.filter(pk=csm.pk).update(slack_webhook_url=slack.url)
    slack.answers = [(404, "no_service")]
    response = _client(csm).post(reverse("notification_test"), {"to": "me"}, follow=True)
    assert response.redirect_chain == [(URL, 302)]
    assert _messages(response) == [
        "A test message went to your email (alice@keel.test).",
        "The test to your Slack failed: Slack answered 404: no_service",
    ]
    assert [message.to for message in mail.outbox] == [["alice@keel.test"]]
    assert len(slack.posts) == 1


def test_the_team_test_is_for_admins_and_needs_a_webhook(
    csm: User, admin_user: User, slack: SlackServer
) -> None:
    assert _client(csm).post(reverse("notification_test"), {"to": "team"}).status_code == 403
    admin = _client(admin_user)
    response = admin.post(reverse("notification_test"), {"to": "team"}, follow=True)
    assert _messages(response) == ["There is no team Slack webhook to test: save one first."]
    TeamSettings.objects.create(pk=1, slack_webhook_url=slack.url)
    response = admin.post(reverse("notification_test"), {"to": "team"}, follow=True)
    assert _messages(response) == ["A test message went to the team's Slack."]
    assert slack.posts[0]["text"].startswith(
        "A test message from Keel: it arrived, so the team's daily digest"
    )
    assert mail.outbox == []


def test_tests_are_limited_to_five_in_ten_minutes(csm: User) -> None:
    client = _client(csm)
    for _ in range(5):
        client.post(reverse("notification_test"), {"to": "me"})
    response = client.post(reverse("notification_test"), {"to": "me"}, follow=True)
    assert re.fullmatch(
        r"Too many tests in a row: try again in (1 minute|([2-9]|10) minutes)\.", _messages(response)[-1]
    )
    assert len(mail.outbox) == 5


def test_the_test_button_is_post_only(csm: User) -> None:
    assert _client(csm).get(reverse("notification_test")).status_code == 405
