"""Reads of the pipeline's runs (SnapshotJob): a job's progress, the latest recompute queued from the Health page."""

from __future__ import annotations

from typing import Any

from metrics.models import SnapshotJob

RECOMPUTE_REASON = "health model v"  # + the version: how the Health page finds the jobs it queued
DASHBOARD_REASON = "missing months"  # the jobs an admin queued from a dashboard that lacked months


def health_recompute_latest() -> SnapshotJob | None:
    """The latest recompute of history queued from the Health page, with its progress."""
    return (
        SnapshotJob.objects.filter(reason__startswith=RECOMPUTE_REASON).select_related("requested_by").first()
    )


def dashboard_job_latest() -> SnapshotJob | None:
    """The latest computation queued from a dashboard, while it runs or when it failed (done: the months show)."""
    job = SnapshotJob.objects.filter(reason=DASHBOARD_REASON).select_related("requested_by").first()
    return job if job is not None and job.state != SnapshotJob.State.DONE else None


def snapshot_job_fields(job: SnapshotJob) -> dict[str, Any]:
    """A job's progress as the pages' scripts poll it."""
    return {
        "state": job.state,
        "state_label": job.get_state_display(),
        "steps_done": job.steps_done,
        "steps_total": job.steps_total,
        "progress": job.progress,
        "error": job.error,
    }
