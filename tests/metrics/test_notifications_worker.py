"""The digests on a real Celery worker with the Redis broker of this machine: the task's own retry after its
delay (a Celery countdown), and two tasks for one digest at once sending it once."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

import pytest

from accounts.models import User
from metrics.models import Notification
from metrics.services import notifications
from metrics.services.notifications import digests_prepare
from metrics.tasks import notification_send_task
from tests.metrics.digest_world import NOW, TODAY, digest_world
from tests.metrics.test_celery_worker import worker  # noqa: F401 - the fixture
from tests.slack import SlackServer
from tests.smtp import SmtpServer


def _wait_for(done: Callable[[], bool], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not done():
        assert time.monotonic() < deadline, "the worker did not finish in time"
        time.sleep(0.1)


def _states() -> list[tuple[str, str, int]]:
    rows = Notification.objects.filter(day=TODAY).select_related("user").order_by("user__email", "kind")
    return [(row.user.email if row.user else "team", row.kind, row.state, row.attempts) for row in rows]  # type: ignore[misc]


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_worker_sends_each_digest_once_and_retries_a_500_after_its_delay(
    worker: None,  # noqa: F811
    csm: User,
    other_csm: User,
    slack: SlackServer,
    smtp: SmtpServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Alice by email and Slack, Bob by email: three notifications, queued through Redis. Slack answers 500 first:
    the task retries itself 1 second later (RETRY_FIRST, shortened from a minute) and the post is accepted once.
    Each email arrives once. Preparing again and queueing the Slack one again send nothing more."""
    monkeypatch.setattr(notifications, "RETRY_FIRST", timedelta(seconds=1))
    world = digest_world(csm, other_csm)
    User.objects.filter(pk=world.alice.pk).update(slack_webhook_url=slack.url)
    slack.answers = [(500, "busy")]

    assert digests_prepare(now=NOW) == 3
    _wait_for(lambda: Notification.objects.filter(day=TODAY, state="sent").count() == 3)
    assert _states() == [
        ("alice@keel.test", "email", "sent", 1),
        ("alice@keel.test", "slack", "sent", 2),
        ("bob@keel.test", "email", "sent", 1),
    ]
    assert (len(slack.posts), len(slack.accepted)) == (2, 1)
    assert sorted(smtp.recipients) == ["alice@keel.test", "bob@keel.test"]

    assert digests_prepare(now=NOW + timedelta(hours=1)) == 0
    row = Notification.objects.get(day=TODAY, kind="slack")
    assert notification_send_task.delay(row.pk).get(timeout=30) is False
    assert (len(slack.posts), len(smtp.messages)) == (2, 2)


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_two_tasks_for_one_digest_at_once_send_it_once(
    worker: None,  # noqa: F811
    csm: User,
    other_csm: User,
    slack: SlackServer,
) -> None:
    """Two workers' threads take the same notification at the same moment (Slack takes half a second to answer):
    one claims it and posts, the other finds it claimed and does nothing."""
    world = digest_world(csm, other_csm)
    User.objects.filter(pk__in=[world.alice.pk, world.bob.pk]).update(daily_digest=False)
    User.objects.filter(pk=world.alice.pk).update(slack_webhook_url=slack.url)
    digests_prepare(now=NOW)
    _wait_for(lambda: Notification.objects.filter(state="sent", day=TODAY).exists())
    row = Notification.objects.get(day=TODAY)
    Notification.objects.filter(pk=row.pk).update(state="pending", sent_at=None)
    slack.delay = 0.5
    first, second = notification_send_task.delay(row.pk), notification_send_task.delay(row.pk)
    assert sorted([first.get(timeout=30), second.get(timeout=30)]) == [False, True]
    assert len(slack.accepted) == 2  # the first send, and one of the two
    row.refresh_from_db()
    assert (row.state, row.attempts) == ("sent", 2)
