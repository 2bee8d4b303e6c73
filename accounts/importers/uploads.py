"""Bundles uploaded on the Data page, imported by a Celery task so that a big one does not hold a web worker.

The upload is saved under KEEL_UPLOAD_DIR (a folder web and workers share) as `<run id>/<file name>`, its
ImportRun is created queued, and `accounts.tasks.bundle_upload_import_task` is queued once that commits. The task
claims the run (queued → running) and imports it; the file is deleted when it finishes, whatever the outcome.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import get_valid_filename

from accounts.importers.progress import ImportProgress
from accounts.importers.service import bundle_import
from accounts.models import ImportRun, User
from accounts.tasks import bundle_upload_import_task


def upload_path(run: ImportRun) -> Path:
    """Where the bundle of an uploaded run waits for its import: under its own name, so that the report names
    the file the admin chose."""
    return Path(settings.KEEL_UPLOAD_DIR) / str(run.pk) / run.name


def bundle_upload_queue(*, upload: UploadedFile, dry_run: bool, user: User) -> ImportRun:
    """Save `upload` where a worker can read it and queue its import once the caller's transaction commits;
    returns the queued run (its page shows the progress, then the report)."""
    name = get_valid_filename(Path(upload.name or "bundle.zip").name)[:500]
    with transaction.atomic():
        run = ImportRun.objects.create(user=user, source=ImportRun.Source.UPLOAD, name=name, dry_run=dry_run)
        path = upload_path(run)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as file:
                for chunk in upload.chunks():
                    file.write(chunk)
                file.flush()
                os.fsync(file.fileno())
        except BaseException:
            shutil.rmtree(path.parent, ignore_errors=True)
            raise
        # robust: without Redis the task runs right here, and its failure is on the run page, not a 500.
        transaction.on_commit(lambda: _enqueue(run), robust=True)
    return run


def _enqueue(run: ImportRun) -> None:
    try:
        bundle_upload_import_task.delay(run.pk)
    except Exception as error:
        # The broker refused it, or (tasks run eagerly) the task failed, which it has recorded already.
        import_run_fail(run=run, error=error)
        raise


def bundle_upload_import(*, run_id: int) -> ImportRun | None:
    """Import the queued upload of run `run_id` and delete its file. Returns the finished run, or None when the
    run is not queued (a task delivered twice imports once). A failure is recorded on the run, then raised."""
    if not ImportRun.objects.filter(pk=run_id, state=ImportRun.State.QUEUED).update(
        state=ImportRun.State.RUNNING
    ):
        return None
    run = ImportRun.objects.get(pk=run_id)
    path = upload_path(run)
    try:
        bundle_import(path=path, run=run)
    except Exception as error:
        import_run_fail(run=run, error=error)
        raise
    finally:
        shutil.rmtree(path.parent, ignore_errors=True)
    return run


def import_run_fail(*, run: ImportRun, error: Exception) -> None:
    """Record a run that stopped before it could finish, and delete its upload (a no-op for a finished run's
    record: bundle_import records its own internal errors)."""
    shutil.rmtree(upload_path(run).parent, ignore_errors=True)
    ImportProgress(run.pk).clear()
    ImportRun.objects.filter(pk=run.pk).exclude(state=ImportRun.State.FINISHED).update(
        state=ImportRun.State.FINISHED,
        outcome=ImportRun.Outcome.REJECTED,
        errors=[f"The import stopped on an internal error ({type(error).__name__}); nothing was imported."],
        finished_at=timezone.now(),
    )
