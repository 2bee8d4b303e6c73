"""Writes of the health app, by feature: scores (the pipeline's scoring step)."""

from health.services.scores import health_model_active, health_scores_compute_from_series

__all__ = ["health_model_active", "health_scores_compute_from_series"]
