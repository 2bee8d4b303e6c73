"""Celery tasks of the pipeline: thin, idempotent, taking JSON and ids and calling services.

`snapshot_step_task` runs any step of a plan (metrics.services.pipeline queues the plan's stages as a chain of
groups of it); beat runs `snapshot_nightly` for yesterday. The services queue these tasks, so a task imports the
service it calls when it runs, as accounts.tasks does.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone


@shared_task(bind=True, acks_late=True, autoretry_for=(OperationalError,), retry_backoff=10, max_retries=5)
def snapshot_step_task(self: Any, step: dict[str, Any], job_id: int | None = None) -> None:
    from metrics.services.pipeline import snapshot_step_run

    snapshot_step_run(step=step, job_id=job_id)


@shared_task(bind=True)
def snapshot_job_failed_task(self: Any, request: Any, exc: Exception, traceback: Any, job_id: int) -> None:
    from metrics.services.pipeline import snapshot_job_end

    snapshot_job_end(job_id=job_id, error=f"{type(exc).__name__}: {exc}")


@shared_task(bind=True, acks_late=True)
def snapshot_nightly(self: Any) -> int:
    """Beat: compute yesterday (KEEL_TIMEZONE) and raise its at-risk alerts."""
    from metrics.services.pipeline import snapshot_job_enqueue

    yesterday = timezone.localdate() - timedelta(days=1)
    return snapshot_job_enqueue(start=yesterday, end=yesterday, reason="nightly", alerts=True).pk
