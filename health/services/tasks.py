"""Writes of tasks: closing one with a note."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import User
from health.models import Task

MAX_NOTE = 2000


def task_close(*, task: Task, by: User, note: str) -> Task:
    """Close `task` with `note` (what was done). Who may close it is decided by
    `health.selectors.task_get_for_user`; a task closed already stays as it was closed."""
    note = note.strip()
    if len(note) > MAX_NOTE:
        raise ValidationError({"note": f"At most {MAX_NOTE} characters."})
    if task.closed_at is not None:
        raise ValidationError(f"This task was closed on {timezone.localtime(task.closed_at):%Y-%m-%d}.")
    updated = Task.objects.filter(pk=task.pk, closed_at__isnull=True).update(
        closed_at=timezone.now(), closed_by=by, close_note=note
    )
    if not updated:  # closed by someone else since it was read
        raise ValidationError("This task was closed in the meantime.")
    task.refresh_from_db()
    return task
