"""Celery tasks of the pipeline and the daily digests: thin, idempotent, taking JSON and ids and calling services.

`snapshot_step_task` runs any step of a plan (metrics.services.pipeline queues the plan's stages as a chain of
groups of it); beat runs `snapshot_nightly` for yesterday, `digests_daily_task` at KEEL_DIGEST_HOUR, which queues
one `notification_send_task` per digest, and `notifications_due_send_task` every ten minutes. The services queue these tasks, so a task imports the
service it calls when it runs, as accounts.tasks does.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from celery import shared_task
from celery.exceptions import ChordError
from django.db import OperationalError
from django.utils import timezone


# acks_late + reject_on_worker_lost: a step whose worker process dies (killed, out of memory) goes back to the
# queue and runs again on another; every step replaces its own rows in one transaction, so a rerun is harmless.
@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError,),
    retry_backoff=10,
    max_retries=5,
)
def snapshot_step_task(self: Any, step: dict[str, Any], job_id: int | None = None) -> None:
    from metrics.services.pipeline import snapshot_step_run

    snapshot_step_run(step=step, job_id=job_id)


# Not bound (no bind=True): Celery calls a bound errback the old way, with the failed task's id alone, which
# failed with a TypeError on every real worker and left the job "running" (tests/faults/test_step_failed.py).
@shared_task
def snapshot_job_failed_task(request: Any, exc: Exception, traceback: Any, job_id: int) -> None:
    from metrics.services.pipeline import snapshot_job_end

    snapshot_job_end(job_id=job_id, error=f"{type(exc).__name__}: {exc}", wrapped=isinstance(exc, ChordError))


@shared_task(bind=True, acks_late=True)
def snapshot_nightly(self: Any) -> int:
    """Beat: compute yesterday (KEEL_TIMEZONE), and the days before it that missed runs left out, and raise
    yesterday's at-risk alerts."""
    from metrics.services.pipeline import nightly_start, snapshot_job_enqueue

    yesterday = timezone.localdate() - timedelta(days=1)
    start = nightly_start(yesterday=yesterday)
    return snapshot_job_enqueue(start=start, end=yesterday, reason="nightly", alerts=True).pk


@shared_task(bind=True, acks_late=True)
def digests_daily_task(self: Any) -> int:
    """Beat, at KEEL_DIGEST_HOUR: write today's digests and queue their sending."""
    from metrics.services.notifications import digests_prepare

    return digests_prepare()


# The row counts the attempts (metrics.Notification), not Celery: a resend by the sweep counts too, and
# notification_send gives up after its MAX_ATTEMPTS-th. A database that went away is retried like the pipeline's.
@shared_task(bind=True, acks_late=True, autoretry_for=(OperationalError,), retry_backoff=10, max_retries=5)
def notification_send_task(self: Any, notification_id: int, now: str | None = None) -> bool:
    """Send one notification (`now`: the clock of the caller that queued it, ISO 8601, when it was given one)."""
    from metrics.services.notifications import NotificationDeferred, notification_send

    try:
        return notification_send(
            notification_id=notification_id, now=datetime.fromisoformat(now) if now else None
        )
    except NotificationDeferred as deferred:
        if self.request.is_eager:
            # In-process (no REDIS_URL) nothing comes back later: the row waits for the sweep (or `digests`).
            return False
        raise self.retry(countdown=deferred.seconds, max_retries=None) from deferred


@shared_task(bind=True, acks_late=True)
def notifications_due_send_task(self: Any) -> int:
    """Beat, every ten minutes: what lost tasks left unsent (metrics.services.notifications)."""
    from metrics.services.notifications import notifications_due_send

    return notifications_due_send()
