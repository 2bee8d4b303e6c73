"""Writes of tasks: a follow-up of a survey answer, closing one with a note."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format

from accounts.models import SurveyKind, SurveyResponse, User
from health.models import Task
from health.reasons import AnswerReason

MAX_NOTE = 2000
FOLLOW_UP_DUE_DAYS = 3
# The answers a CSM should follow up (DATA.md §5): a detractor (NPS 0–6), a low CSAT (1–2).
FOLLOW_UP_SCORES = {SurveyKind.NPS: range(0, 7), SurveyKind.CSAT: range(1, 3)}


def task_follow_up_open(*, response: SurveyResponse) -> Task | None:
    """A follow-up task for the account's CSM when `response` is a detractor or a low CSAT, with its score and
    comment as the reason; None for another answer. An answer has one follow-up at most: answering again (a
    changed score or comment) leaves the task it opened as it is."""
    if response.score not in FOLLOW_UP_SCORES.get(SurveyKind(response.kind), ()):
        return None
    account = response.account
    contact = response.contact
    reason = AnswerReason(
        survey_kind=response.kind,
        score=response.score,
        comment=response.comment,
        who=(contact.name or contact.email) if contact is not None else "",
    )
    task, _ = Task.objects.get_or_create(
        response=response,
        defaults={
            "account": account,
            "assignee": account.csm,
            "kind": Task.Kind.FOLLOW_UP,
            "title": f"Follow up {account.name}'s {response.kind.upper()} {response.score}",
            "reason": reason.data(),
            "due_on": timezone.localdate() + timedelta(days=FOLLOW_UP_DUE_DAYS),
        },
    )
    return task


def task_close(*, task: Task, by: User, note: str) -> Task:
    """Close `task` with `note` (what was done). Who may close it is decided by
    `health.selectors.task_get_for_user`; a task closed already stays as it was closed."""
    note = note.strip()
    if len(note) > MAX_NOTE:
        raise ValidationError({"note": f"At most {MAX_NOTE} characters."})
    if task.closed_at is not None:
        raise ValidationError(f"This task was closed on {date_format(timezone.localtime(task.closed_at))}.")
    updated = Task.objects.filter(pk=task.pk, closed_at__isnull=True).update(
        closed_at=timezone.now(), closed_by=by, close_note=note
    )
    if not updated:  # closed by someone else since it was read
        raise ValidationError("This task was closed in the meantime.")
    task.refresh_from_db()
    return task
