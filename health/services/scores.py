"""Writes of the health app: the daily scores of the pipeline (METRICS.md "Health score")."""

from __future__ import annotations

from typing import Any

from health.models import DEFAULT_PARAMETERS, DEFAULT_WEIGHTS, HealthModel
from health.sql import files


def health_model_active() -> HealthModel:
    """The model scores are computed with: the active version, or METRICS.md's default as version 1 when there
    is none yet (a migration creates it; an emptied database gets it back here)."""
    model = HealthModel.objects.filter(is_active=True).first()
    if model is None:
        model, _ = HealthModel.objects.get_or_create(
            version=1,
            defaults={
                "is_active": True,
                "note": "The default model of METRICS.md.",
                "weights": DEFAULT_WEIGHTS,
                "parameters": DEFAULT_PARAMETERS,
            },
        )
    return model


def health_scores_compute_from_series(*, params: dict[str, Any], dense: bool) -> None:
    """Score the accounts of `_series` (metrics.services.daily, same transaction) into `_health`: the
    components' inputs densely or day by day, like the series, then the same scoring for both."""
    files.run("health_inputs_series" if dense else "health_inputs_points", **params)
    files.run("health_scores", **params)
