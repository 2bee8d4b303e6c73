"""Writes of the health app, by feature: scores (the pipeline's scoring step), versions of the model, at-risk
alerts, tasks."""

from health.services.alerts import health_alerts_raise
from health.services.scores import health_model_active, health_scores_compute_from_series
from health.services.tasks import task_close
from health.services.versions import (
    health_model_changes,
    health_model_draft,
    health_model_parameters_changed,
    health_model_save,
    health_model_validate,
)

__all__ = [
    "health_alerts_raise",
    "health_model_active",
    "health_model_changes",
    "health_model_draft",
    "health_model_parameters_changed",
    "health_model_save",
    "health_model_validate",
    "health_scores_compute_from_series",
    "task_close",
]
