"""Reads of the pipeline's runs (SnapshotJob): a job's progress, the latest recompute queued from the Health page."""

from __future__ import annotations

from typing import Any

from metrics.models import SnapshotJob

RECOMPUTE_REASON = "health model v"  # + the version: how the Health page finds the jobs it queued


def health_recompute_latest() -> SnapshotJob | None:
    """The latest recompute of history queued from the Health page, with its progress."""
    return (
        SnapshotJob.objects.filter(reason__startswith=RECOMPUTE_REASON).select_related("requested_by").first()
    )


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
