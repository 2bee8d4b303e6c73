"""Celery tasks of the book of business: thin, taking ids and calling a service."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.core.cache import cache


# No retries: a failure is final, recorded on the run, and the uploaded file is gone with it.
@shared_task(bind=True, acks_late=True, max_retries=0)
def bundle_upload_import_task(self: Any, run_id: int) -> None:
    """Import an uploaded bundle. Safe to run twice: only a queued run is imported (claimed by its state)."""
    # Imported here: the service module imports this one to queue the task (as HackSoft's emails/tasks.py).
    from accounts.importers.uploads import bundle_upload_import

    bundle_upload_import(run_id=run_id)


# The flag ingest sets (cache.add) while a fold is queued, so a burst of batches queues one task, not one each.
SEGMENT_FOLD_QUEUED = "keel:segment-fold-queued"


@shared_task(acks_late=True)
def segment_fold_task() -> int:
    """Fold the pending Segment messages. The flag goes first: a batch stored from now on queues another fold,
    and one stored before is committed, so this one sees it. Safe to run twice (the fold locks)."""
    # Imported here, as above: the ingest module imports this one to queue the task.
    from accounts.segment.fold import segment_fold

    cache.delete(SEGMENT_FOLD_QUEUED)
    return segment_fold()


@shared_task(acks_late=True)
def segment_sweep_task() -> int:
    """Beat, every minute: whatever a lost task left pending, and waiting tracks whose account now exists."""
    from accounts.segment.fold import segment_sweep

    return segment_sweep()


@shared_task(acks_late=True)
def segment_prune_task() -> int:
    """Beat, daily: folded Segment messages older than their keeping time go."""
    from accounts.segment.fold import segment_messages_prune

    return segment_messages_prune()
