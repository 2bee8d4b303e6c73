"""Celery tasks of the book of business: thin, taking ids and calling a service."""

from __future__ import annotations

from typing import Any

from celery import shared_task


# No retries: a failure is final, recorded on the run, and the uploaded file is gone with it.
@shared_task(bind=True, acks_late=True, max_retries=0)
def bundle_upload_import_task(self: Any, run_id: int) -> None:
    """Import an uploaded bundle. Safe to run twice: only a queued run is imported (claimed by its state)."""
    # Imported here: the service module imports this one to queue the task (as HackSoft's emails/tasks.py).
    from accounts.importers.uploads import bundle_upload_import

    bundle_upload_import(run_id=run_id)
