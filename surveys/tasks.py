"""Celery tasks of the surveys Keel sends: thin, taking ids and calling services.

`survey_send` queues `invitations_send_task` in batches; beat runs `invitations_due_send_task` every few
minutes for later rounds, reminders and retries. The services queue these tasks, so a task imports the service
it calls when it runs, as accounts.tasks does. Both are safe to run twice: each invitation is claimed before
it is sent.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from celery import shared_task
from django.db import OperationalError


# A database that went away mid-batch: retried (what was claimed and not sent is taken back after 15 minutes).
# SMTP failures are not task failures: they are recorded on each invitation and retried by the sweep.
@shared_task(bind=True, acks_late=True, autoretry_for=(OperationalError,), retry_backoff=30, max_retries=5)
def invitations_send_task(
    self: Any, invitation_ids: list[int], reminder: bool = False, now: str | None = None
) -> int:
    """Send a batch (`now`: the clock of the survey_send that queued it, ISO 8601, when it was given one)."""
    from surveys.services.invitations import invitations_send

    return invitations_send(
        ids=invitation_ids, reminder=reminder, now=datetime.fromisoformat(now) if now else None
    )


@shared_task(bind=True, acks_late=True)
def invitations_due_send_task(self: Any) -> int:
    """Beat: every survey's round, reminders and retries that are due now."""
    from surveys.services.invitations import invitations_due_send

    return invitations_due_send()
