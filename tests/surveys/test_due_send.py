"""invitations_due_send (surveys/services/invitations.py), the sweep beat runs every five minutes: rounds,
reminders and retries of every sending or open survey; surveys past their close date closed; drafts left alone."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core import mail
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks

from surveys.models import Invitation, Survey
from surveys.services import invitations_due_send, survey_create
from surveys.tasks import invitations_due_send_task
from tests.surveys.conftest import Book, Send

pytestmark = pytest.mark.django_db


def test_beat_runs_the_sweep_every_five_minutes() -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["survey-invitations-due"]
    assert entry["task"] == invitations_due_send_task.name == "surveys.tasks.invitations_due_send_task"
    assert entry["schedule"] == crontab(minute="*/5")


def test_the_sweep_sends_what_every_survey_has_due(
    book: Book, send: Send, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    """Day 0: a recurring NPS (every 30 days, reminder after 3) and a one-off CES of Beacon are sent, a CSAT
    draft is not. Day 3: the sweep reminds the NPS's 3 and the CES's 1 (4). Day 31: the NPS's round 2 is due,
    but ana, ben and cleo were invited 31 days ago (cooldown 90): a round of none. The draft is never sent."""
    start = timezone.now()
    recurring = survey_create(name="NPS", kind="nps", every_days=30, reminder_days=3)
    one_off = survey_create(
        name="CES", kind="ces", reminder_days=2, audience="accounts", account_ids=[book.accounts["Delta"].pk]
    )
    draft = survey_create(name="CSAT", kind="csat")
    send(recurring, now=start)
    send(one_off, now=start)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert invitations_due_send(now=start + timedelta(days=3)) == 4
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        book.emails("ana", "ben", "cleo", "eve")
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert invitations_due_send(now=start + timedelta(days=31)) == 0
    recurring.refresh_from_db()
    draft.refresh_from_db()
    assert recurring.round == 2 and draft.status == "draft"
    assert not Invitation.objects.filter(survey=draft).exists()


def test_the_sweep_closes_surveys_past_their_close_date(book: Book, send: Send) -> None:
    """closes_on = today. ana's email failed and is due again in 25 hours: two hours on, the survey is still
    sending and nothing is due; the next day it is closed and her invitation is not retried."""
    # 10:00 today, not now: two hours after 22:00 is tomorrow, when the survey has closed.
    start = timezone.make_aware(datetime.combine(timezone.localdate(), time(10)))
    survey = survey_create(name="NPS", kind="nps", closes_on=timezone.localdate(start))
    send(survey, now=start)
    Invitation.objects.filter(email="ana@atlas.example").update(
        state="failed", next_attempt_at=start + timedelta(hours=25)
    )
    Survey.objects.filter(pk=survey.pk).update(status="sending")
    assert invitations_due_send(now=start + timedelta(hours=2)) == 0
    survey.refresh_from_db()
    assert survey.status == "sending"
    assert invitations_due_send(now=start + timedelta(days=1, hours=2)) == 0
    survey.refresh_from_db()
    assert survey.status == "closed"
    assert Invitation.objects.get(email="ana@atlas.example").state == "failed"
