"""Reads of the Health page: the versions of the model and the latest recompute it queued."""

from __future__ import annotations

from health.models import HealthModel
from metrics.models import SnapshotJob

RECOMPUTE_REASON = "health model v"  # + the version: how the page finds the jobs it queued


def health_model_versions() -> list[HealthModel]:
    """Every version, newest first, with who saved it (one query)."""
    return list(HealthModel.objects.select_related("created_by").order_by("-version"))


def health_recompute_latest() -> SnapshotJob | None:
    """The latest recompute of history queued from the Health page, with its progress."""
    return (
        SnapshotJob.objects.filter(reason__startswith=RECOMPUTE_REASON).select_related("requested_by").first()
    )
