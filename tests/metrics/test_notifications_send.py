"""Sending the digests (metrics.services.notifications): to Slack through a real HTTP server on loopback
(tests/slack.py) and by email through a real SMTP server (tests/smtp.py); retried with backoff, never twice."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from accounts.models import Role, TeamSettings, User
from metrics.models import Notification
from metrics.services import notifications
from metrics.services.notifications import (
    MAX_ATTEMPTS,
    STUCK_AFTER,
    digests_prepare,
    notification_send,
    notifications_due_send,
    retry_delay,
)
from metrics.tasks import notification_send_task
from tests.metrics.digest_world import NOW, TODAY, World, digest_world
from tests.slack import SlackServer
from tests.smtp import SmtpServer

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(csm: User, other_csm: User) -> World:
    return digest_world(csm, other_csm)


def _slack_only(world: World, url: str) -> None:
    """Alice's digest to Slack alone (her email off), Bob's nowhere."""
    User.objects.filter(pk=world.alice.pk).update(daily_digest=False, slack_webhook_url=url)
    User.objects.filter(pk=world.bob.pk).update(daily_digest=False)


def _slack_row(world: World) -> Notification:
    return Notification.objects.get(user=world.alice, kind="slack", day=TODAY)


def test_the_digest_is_posted_to_a_person_s_and_the_team_s_slack_webhooks(
    world: World, slack: SlackServer, django_capture_on_commit_callbacks: Any
) -> None:
    """Alice's webhook and the team's each get one POST of {"text": …}, Slack's mrkdwn with links; the team's
    names each account's CSM and counts the tasks due per person."""
    _slack_only(world, slack.url)
    TeamSettings.objects.create(pk=1, slack_webhook_url=slack.url.replace("/test", "/team"))
    with django_capture_on_commit_callbacks(execute=True):
        assert digests_prepare(now=NOW) == 2
    assert sorted(slack.paths) == ["/services/T000/B000/team", "/services/T000/B000/test"]
    assert all(set(post) == {"text"} for post in slack.posts)
    mine, team = (
        slack.posts[slack.paths.index(f"/services/T000/B000/{p}")]["text"] for p in ("test", "team")
    )
    anchor = world.anchor.pk
    assert mine.startswith("*Keel digest for 2025-06-10*\n\n*Newly at risk (1)*\n")
    assert (
        f"• <http://127.0.0.1:8000/accounts/{anchor}/#health|Anchor Co>: Red: the score 30.0 is below 50."
        in mine
    )
    assert "• 2025-06-05 (overdue) Anchor Co: Send the QBR deck" in mine
    assert "(1, $1,200.00 ARR)*\n• 2025-06-30 <http://127.0.0.1:8000/accounts/" in mine
    assert team.startswith("*Keel digest for 2025-06-10* (the team)\n")
    assert "|Anchor Co> (Alice Owner): Red" in team
    assert (
        "Tasks due today or overdue> (3, 2 overdue)*\n• Alice Owner: 2 (1 overdue)\n• Bob Other: 1 (1 overdue)"
        in team
    )
    assert "Renewals in the next 30 days> (2, $13,188.00 ARR)*" in team
    assert Notification.objects.filter(day=TODAY, state="sent").count() == 2


def test_slack_text_is_escaped(
    world: World, slack: SlackServer, django_capture_on_commit_callbacks: Any
) -> None:
    """An account named "<!channel> & Co" reaches Slack as text, not as a mention: &lt;!channel&gt; &amp; Co."""
    world.anchor.name = "<!channel> & Co"
    world.anchor.save()
    _slack_only(world, slack.url)
    with django_capture_on_commit_callbacks(execute=True):
        digests_prepare(now=NOW)
    assert "|&lt;!channel&gt; &amp; Co>" in slack.posts[0]["text"]


def test_a_500_is_retried_and_the_digest_goes_once(
    world: World, slack: SlackServer, django_capture_on_commit_callbacks: Any
) -> None:
    """Slack answers 500, then 200. In-process (no worker: tasks run eagerly) the first attempt leaves the row
    pending, its next attempt 1 minute later; the sweep 6 minutes on (past that and its 5 minutes' grace) sends
    it, accepted once: sent after 2 attempts. Sending it again, by the task or the sweep, sends nothing. (On a
    worker the task itself retries after the delay: tests/metrics/test_notifications_worker.py.)"""
    _slack_only(world, slack.url)
    slack.answers = [(500, "oops")]
    with django_capture_on_commit_callbacks(execute=True):
        assert digests_prepare(now=NOW) == 1
    row = _slack_row(world)
    assert (len(slack.posts), row.state, row.attempts, row.next_attempt_at) == (
        1,
        "pending",
        1,
        NOW + timedelta(minutes=1),
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications_due_send(now=NOW + timedelta(minutes=6)) == 1
    assert len(slack.posts) == 2 and len(slack.accepted) == 1
    row.refresh_from_db()
    assert (row.state, row.attempts, row.last_error, row.sent_at) == (
        "sent",
        2,
        "",
        NOW + timedelta(minutes=6),
    )

    assert notification_send_task.delay(row.pk).get() is False
    assert notification_send(notification_id=row.pk) is False
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications_due_send(now=NOW + timedelta(minutes=20)) == 0
        assert digests_prepare(now=NOW + timedelta(minutes=20)) == 0
    assert len(slack.posts) == 2


def test_the_failure_is_recorded_and_the_next_attempt_waits_for_the_backoff(
    world: World, slack: SlackServer
) -> None:
    """One attempt by the service itself: a 503 leaves the row pending with attempts 1, the error, and its next
    attempt 1 minute later; the task is told to retry in 60 s. The delays double: 1, 2, 4, 8, 16, 30 minutes."""
    _slack_only(world, slack.url)
    digests_prepare(now=NOW)  # not committed: nothing queued
    row = _slack_row(world)
    slack.answers = [(503, "")]
    with pytest.raises(notifications.NotificationDeferred) as deferred:
        notification_send(notification_id=row.pk, now=NOW)
    assert deferred.value.seconds == 60
    row.refresh_from_db()
    assert (row.state, row.attempts, row.last_error) == ("pending", 1, "Slack answered 503")
    assert row.next_attempt_at == NOW + timedelta(minutes=1)
    assert [retry_delay(n).total_seconds() / 60 for n in range(1, 8)] == [1, 2, 4, 8, 16, 30, 30]


def test_slack_refusing_for_good_is_not_retried(
    world: World, slack: SlackServer, django_capture_on_commit_callbacks: Any
) -> None:
    """A 404 no_service (the webhook was removed) fails at once: one POST, state failed with Slack's words."""
    _slack_only(world, slack.url)
    slack.answers = [(404, "no_service")]
    with django_capture_on_commit_callbacks(execute=True):
        digests_prepare(now=NOW)
    row = _slack_row(world)
    assert (len(slack.posts), row.state, row.attempts) == (1, "failed", 1)
    assert row.last_error == "Slack answered 404: no_service"


def test_a_redirect_is_not_followed(
    world: World, slack: SlackServer, django_capture_on_commit_callbacks: Any
) -> None:
    _slack_only(world, slack.url)
    slack.answers = [(302, "")]
    with django_capture_on_commit_callbacks(execute=True):
        digests_prepare(now=NOW)
    row = _slack_row(world)
    assert (len(slack.posts), row.state, row.last_error) == (1, "failed", "Slack answered 302")


def test_after_the_last_attempt_it_has_failed(
    world: World, slack: SlackServer, django_capture_on_commit_callbacks: Any
) -> None:
    """Slack answers 500 every time; the sweep runs every 10 minutes for an hour and a half: attempts at 07:00
    and then at the sweeps past each next attempt (+1, +2, +4, +8, +16 minutes after each failure, and 5 minutes'
    grace), 6 posts in all (MAX_ATTEMPTS), then failed with the last error; no seventh."""
    _slack_only(world, slack.url)
    slack.answers = [(500, "down")] * 10
    with django_capture_on_commit_callbacks(execute=True):
        digests_prepare(now=NOW)
        for minutes in range(10, 100, 10):
            notifications_due_send(now=NOW + timedelta(minutes=minutes))
    row = _slack_row(world)
    assert (len(slack.posts), row.state, row.attempts, row.last_error) == (
        MAX_ATTEMPTS,
        "failed",
        MAX_ATTEMPTS,
        "Slack answered 500: down",
    )


def test_a_webhook_that_does_not_answer_is_retried(
    world: World, slack: SlackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    _slack_only(world, slack.url)
    digests_prepare(now=NOW)
    monkeypatch.setattr(notifications, "SLACK_TIMEOUT", 0.3)
    slack.delay = 1.0
    with pytest.raises(notifications.NotificationDeferred):
        notification_send(notification_id=_slack_row(world).pk, now=NOW)
    row = _slack_row(world)
    assert row.state == "pending"
    assert row.last_error == "The webhook did not answer within 0.3 s"


def test_a_claimed_notification_is_left_to_its_worker_until_it_is_stuck(
    world: World, slack: SlackServer
) -> None:
    """Another worker claimed it (sending, claimed now): nothing is sent. 15 minutes later its worker is taken for
    dead: the row is claimed again and sent, once."""
    _slack_only(world, slack.url)
    digests_prepare(now=NOW)
    row = _slack_row(world)
    Notification.objects.filter(pk=row.pk).update(state="sending", claimed_at=NOW, attempts=1)
    assert notification_send(notification_id=row.pk, now=NOW + timedelta(minutes=1)) is False
    assert slack.posts == []
    assert notification_send(notification_id=row.pk, now=NOW + STUCK_AFTER + timedelta(seconds=1)) is True
    assert len(slack.accepted) == 1
    row.refresh_from_db()
    assert (row.state, row.attempts) == ("sent", 2)


def test_the_sweep_queues_what_lost_tasks_left_and_drops_what_is_too_old(
    world: World, slack: SlackServer, django_capture_on_commit_callbacks: Any
) -> None:
    """A pending row whose next attempt passed 5 minutes ago is queued and sent; one due a minute ago is left to
    the task that will retry it; a row made more than a day ago is failed, not sent."""
    _slack_only(world, slack.url)
    digests_prepare(now=NOW)
    row = _slack_row(world)
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications_due_send(now=NOW + timedelta(minutes=1)) == 0
        assert notifications_due_send(now=NOW + timedelta(minutes=6)) == 1
    assert len(slack.accepted) == 1
    row.refresh_from_db()
    assert row.state == "sent"

    old = Notification.objects.create(
        user=world.bob, kind="email", day=TODAY, since=NOW, until=NOW, body="x", next_attempt_at=NOW
    )
    Notification.objects.filter(pk=old.pk).update(created_at=NOW - timedelta(days=2))
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications_due_send(now=NOW + timedelta(minutes=6)) == 0
    old.refresh_from_db()
    assert (old.state, old.last_error) == ("failed", "Not sent within a day")


def test_a_recipient_the_mail_server_refuses_fails_at_once_and_a_4xx_is_retried(
    world: World, smtp: SmtpServer
) -> None:
    """550 to Alice's address: failed after one attempt. 451 to Bob's: pending for a retry."""
    smtp.refuse["alice@keel.test"] = "550 5.1.1 No such user"
    smtp.refuse["bob@keel.test"] = "451 4.7.1 Try again later"
    digests_prepare(now=NOW)
    alice, bob = (
        Notification.objects.get(user=user, kind="email", day=TODAY) for user in (world.alice, world.bob)
    )
    assert notification_send(notification_id=alice.pk, now=NOW) is False
    with pytest.raises(notifications.NotificationDeferred):
        notification_send(notification_id=bob.pk, now=NOW)
    alice.refresh_from_db()
    bob.refresh_from_db()
    assert (alice.state, alice.attempts, alice.last_error) == ("failed", 1, "550 5.1.1 No such user")
    assert (bob.state, bob.attempts, bob.last_error) == ("pending", 1, "451 4.7.1 Try again later")
    assert smtp.messages == []


def test_a_webhook_removed_before_sending_fails_the_notification(world: World, slack: SlackServer) -> None:
    _slack_only(world, slack.url)
    digests_prepare(now=NOW)
    User.objects.filter(pk=world.alice.pk).update(slack_webhook_url="")
    assert notification_send(notification_id=_slack_row(world).pk, now=NOW) is False
    row = _slack_row(world)
    assert (row.state, row.last_error) == ("failed", "No Slack webhook URL any more")


def test_a_test_message_goes_to_email_and_slack_and_says_what_failed(
    world: World, slack: SlackServer, smtp: SmtpServer, make_user: Callable[..., User]
) -> None:
    User.objects.filter(pk=world.alice.pk).update(slack_webhook_url=slack.url)
    world.alice.refresh_from_db()
    outcomes = notifications.notification_test_send(user=world.alice)
    assert [(o.channel, o.error) for o in outcomes] == [
        ("your email (alice@keel.test)", ""),
        ("your Slack", ""),
    ]
    assert smtp.to("alice@keel.test")[0]["Subject"] == "Keel: a test message"
    assert slack.posts[0]["text"].startswith("A test message from Keel for Alice Owner: it arrived")
    assert not Notification.objects.filter(day=TODAY, kind="slack").exists()  # recorded nowhere

    slack.answers = [(403, "invalid_token")]
    admin = make_user("adam@keel.test", Role.ADMIN, "Adam Admin")
    TeamSettings.objects.create(pk=1, slack_webhook_url=slack.url)
    outcomes = notifications.notification_test_send(user=admin, team=True)
    assert [(o.channel, o.error) for o in outcomes] == [
        ("the team's Slack", "Slack answered 403: invalid_token")
    ]
