"""health.services.alerts: one task and one email per at-risk episode, only from the nightly run.

Most tests write the stored daily rows by hand (`stored_day`) and run the nightly run's alerts step on them
(metrics.services.health_steps, which hands the service the rows it reads): the episode rules are easier to read
day by day. The last ones go through the pipeline and its Celery tasks.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Account, User
from health.models import AtRiskEpisode, Task
from health.reasons import AtRiskReason
from metrics.models import AccountDay, SnapshotJob
from metrics.services.health_steps import health_alerts_step
from metrics.services.pipeline import snapshot_compute, snapshot_job_enqueue
from metrics.tasks import snapshot_nightly
from tests.factories import AccountFactory
from tests.scenarios import Facts

DAY1 = date(2024, 6, 1)
StoredDay = Callable[..., AccountDay]


def day(n: int) -> date:
    """Day n of the scenario (day 1 = 2024-06-01)."""
    return DAY1 + timedelta(days=n - 1)


@pytest.fixture
def account(csm: User) -> Account:
    return AccountFactory.create(name="Acme Rockets", external_id="ACME-1", csm=csm)


def raise_on(n: int, capture: Any) -> int:
    """The nightly alerts of day n, with the email callbacks run as a commit would."""
    with capture(execute=True):
        return health_alerts_step(day=day(n))


def test_one_task_and_one_email_per_episode(
    account: Account, csm: User, stored_day: StoredDay, django_capture_on_commit_callbacks: Any
) -> None:
    """Day 1 red (at risk) → a task and an email; still at risk on days 2–5 → nothing new; days 6–12 not at risk
    (7 in a row) → the episode ends on day 12; at risk again on day 13 → a second task and email."""
    stored_day(account, day(1), score=30.0)
    assert raise_on(1, django_capture_on_commit_callbacks) == 1
    (task,) = Task.objects.all()
    assert (task.account, task.assignee, task.kind, task.title) == (
        account,
        csm,
        "at_risk",
        "Acme Rockets is at risk",
    )
    assert task.reason_text == "Red: the score 30.0 is below 40."
    assert (
        task.reason == AtRiskReason(score=30.0, red=True, yellow_min=40, drop_points=15, drop_days=30).data()
    )
    assert (task.due_on, task.closed_at, task.episode.started_on) == (day(8), None, day(1))  # type: ignore[union-attr]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [csm.email]
    assert mail.outbox[0].subject == "Keel: Acme Rockets is at risk"
    assert "Red: the score 30.0 is below 40." in mail.outbox[0].body
    assert f"/accounts/{account.pk}/#health" in mail.outbox[0].body

    for n in range(2, 6):
        stored_day(account, day(n), score=35.0)
        assert raise_on(n, django_capture_on_commit_callbacks) == 0
    for n in range(6, 13):
        stored_day(account, day(n), score=80.0)
        assert raise_on(n, django_capture_on_commit_callbacks) == 0
        episode = AtRiskEpisode.objects.get()
        assert episode.ended_on == (day(12) if n == 12 else None), n
    assert episode.end_reason == "recovered"
    assert (Task.objects.count(), len(mail.outbox)) == (1, 1)

    stored_day(account, day(13), score=20.0)
    assert raise_on(13, django_capture_on_commit_callbacks) == 1
    assert (Task.objects.count(), len(mail.outbox)) == (2, 2)
    assert AtRiskEpisode.objects.filter(ended_on__isnull=True).get().started_on == day(13)


def test_six_days_not_at_risk_keep_the_episode(
    account: Account, stored_day: StoredDay, django_capture_on_commit_callbacks: Any
) -> None:
    """At risk on day 1, not on days 2–7 (6 days), at risk on day 8: the same episode, no second task."""
    stored_day(account, day(1), score=30.0)
    raise_on(1, django_capture_on_commit_callbacks)
    for n in range(2, 8):
        stored_day(account, day(n), score=75.0)
        raise_on(n, django_capture_on_commit_callbacks)
    stored_day(account, day(8), score=30.0)
    assert raise_on(8, django_capture_on_commit_callbacks) == 0
    assert (Task.objects.count(), AtRiskEpisode.objects.count(), len(mail.outbox)) == (1, 1, 1)


def test_a_drop_is_an_alert_too_and_says_by_how_much(
    account: Account, stored_day: StoredDay, django_capture_on_commit_callbacks: Any
) -> None:
    """Green 72.25 on day 31 after 90.0 on day 1: at risk by the drop rule (90.0 − 72.3 = 17.7 shown, from the
    rounded scores), not by its status."""
    stored_day(account, day(1), score=90.0)
    stored_day(account, day(31), score=72.25, at_risk=True)
    assert raise_on(31, django_capture_on_commit_callbacks) == 1
    assert Task.objects.get().reason_text == (
        "The score fell 17.7 points in 30 days (from 90.0 to 72.3); a fall of 15 or more is at risk."
    )


def test_churn_ends_the_episode(
    account: Account, stored_day: StoredDay, django_capture_on_commit_callbacks: Any
) -> None:
    """At risk on day 1; day 2 no MRR (no row at all) → the episode ends, churned; paying and at risk again on
    day 3 → a new episode and task. Day 4 used but not paying (a row with ARR 0) → ends again."""
    stored_day(account, day(1), score=30.0)
    raise_on(1, django_capture_on_commit_callbacks)
    assert raise_on(2, django_capture_on_commit_callbacks) == 0
    first = AtRiskEpisode.objects.get()
    assert (first.ended_on, first.end_reason) == (day(2), "churned")
    stored_day(account, day(3), score=30.0)
    assert raise_on(3, django_capture_on_commit_callbacks) == 1
    stored_day(account, day(4), score=None, arr=0)
    raise_on(4, django_capture_on_commit_callbacks)
    assert AtRiskEpisode.objects.filter(end_reason="churned").count() == 2
    assert (Task.objects.count(), len(mail.outbox)) == (2, 2)


def test_running_a_day_twice_alerts_once(
    account: Account, stored_day: StoredDay, django_capture_on_commit_callbacks: Any
) -> None:
    stored_day(account, day(1), score=30.0)
    assert raise_on(1, django_capture_on_commit_callbacks) == 1
    assert raise_on(1, django_capture_on_commit_callbacks) == 0
    assert (Task.objects.count(), len(mail.outbox)) == (1, 1)


def test_the_email_goes_after_commit(
    account: Account, stored_day: StoredDay, django_capture_on_commit_callbacks: Any
) -> None:
    stored_day(account, day(1), score=30.0)
    with django_capture_on_commit_callbacks() as callbacks:
        health_alerts_step(day=day(1))
        assert mail.outbox == []  # the task exists, the transaction has not committed: no email yet
    assert Task.objects.count() == 1 and len(callbacks) == 1
    callbacks[0]()
    assert len(mail.outbox) == 1


def test_one_email_per_csm_listing_their_new_accounts(
    csm: User, other_csm: User, stored_day: StoredDay, django_capture_on_commit_callbacks: Any
) -> None:
    """Alice's two accounts and Bob's one go red the same night: three tasks, one email each for Alice (both
    accounts) and Bob. An account without a CSM gets a task nobody is emailed about."""
    for name, owner in (("Alpha", csm), ("Beta", csm), ("Gamma", other_csm), ("Orphan", None)):
        stored_day(AccountFactory.create(name=name, csm=owner), day(1), score=10.0)
    assert raise_on(1, django_capture_on_commit_callbacks) == 4
    assert Task.objects.filter(assignee__isnull=True).get().account.name == "Orphan"
    emails = {message.to[0]: message for message in mail.outbox}
    assert set(emails) == {csm.email, other_csm.email}
    assert emails[csm.email].subject == "Keel: 2 of your accounts are at risk"
    assert "Alpha" in emails[csm.email].body and "Beta" in emails[csm.email].body
    assert "Gamma" not in emails[csm.email].body


@pytest.fixture
def red_yesterday(facts: Facts, csm: User) -> Account:
    """An account of `csm` paying since 60 days ago and never used: activity 0, recency 0, support 100 →
    (15 × 100) / 55 = 27.3: red, at risk every day."""
    account = facts.account("Quiet Harbor", csm=csm)
    facts.span(account, "100.00", "month", (timezone.localdate() - timedelta(days=60)).isoformat())
    return account


def test_backfills_and_recomputes_never_alert(
    red_yesterday: Account, admin_user: User, django_capture_on_commit_callbacks: Any
) -> None:
    yesterday = timezone.localdate() - timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        snapshot_compute(start=yesterday - timedelta(days=5), end=yesterday)
        snapshot_job_enqueue(
            start=yesterday - timedelta(days=3), end=yesterday, reason="health model v2", by=admin_user
        )
    assert AccountDay.objects.get(account=red_yesterday, day=yesterday).at_risk
    assert (Task.objects.count(), AtRiskEpisode.objects.count(), len(mail.outbox)) == (0, 0, 0)


def test_the_nightly_run_alerts(
    red_yesterday: Account, csm: User, django_capture_on_commit_callbacks: Any
) -> None:
    """Beat's task, run eagerly as without REDIS_URL: computes yesterday, then raises its alerts."""
    with django_capture_on_commit_callbacks(execute=True):
        job_id = snapshot_nightly.delay().get()
    job = SnapshotJob.objects.get(pk=job_id)
    assert (job.reason, job.state, job.steps_done) == ("nightly", "done", job.steps_total)
    task = Task.objects.get()
    assert (task.account, task.assignee) == (red_yesterday, csm)
    assert task.reason_text.startswith("Red: the score 27.3")
    assert [message.to for message in mail.outbox] == [[csm.email]]
    with django_capture_on_commit_callbacks(execute=True):
        snapshot_nightly.delay().get()  # run again (a retry): nothing new
    assert (Task.objects.count(), len(mail.outbox)) == (1, 1)
