"""Writes of the health app: the daily scores of the pipeline (METRICS.md "Health score")."""

from __future__ import annotations

from typing import Any

from accounts.sql import SqlStep
from health.sql import files


def health_scores_compute(*, step: SqlStep, params: dict[str, Any], dense: bool) -> None:
    """Score the accounts of `_series` into `_health`, in the caller's step (the pipeline's daily chunk, which
    made `_series`, `_hdays` and `_stored_before`): the components' inputs densely or day by day, like the
    series, then the same scoring for both. `params`: the chunk's and the model's (HealthModel.sql_params)."""
    step.run(files, "health_inputs_series" if dense else "health_inputs_points", **params)
    step.run(files, "health_scores", **params)
