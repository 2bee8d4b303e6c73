"""Health-score models, alerts and tasks (METRICS.md "Health score").

The daily scores themselves are columns of metrics.AccountDay (one row per account and day), written by the
pipeline with health/sql/health_scores.sql.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

COMPONENTS = ("activity", "adoption", "sentiment", "support", "revenue", "recency")

# METRICS.md "Health score (default model)".
DEFAULT_WEIGHTS: dict[str, float] = {
    "activity": 30,
    "adoption": 15,
    "sentiment": 20,
    "support": 15,
    "revenue": 10,
    "recency": 10,
}
DEFAULT_PARAMETERS: dict[str, float] = {
    "activity_target_days": 20,  # active days in 30 that score 100
    "sentiment_window_days": 180,  # a contact's latest NPS within this many days ending d
    "support_window_days": 30,  # tickets created in this many days ending d
    "support_high_penalty": 15,  # points per high or urgent ticket
    "support_other_penalty": 5,  # points per other ticket
    "revenue_lookback_days": 90,  # MRR(d) against MRR(d − this)
    "revenue_drop_penalty": 200,  # points per whole lost share of MRR
    "recency_zero_after_days": 60,  # days since the last event that score 0
    "recency_ramp_days": 53,  # recency reaches 100 this many days before that
}


class Status(models.TextChoices):
    GREEN = "green", "Green"
    YELLOW = "yellow", "Yellow"
    RED = "red", "Red"


class HealthModel(models.Model):
    """One version of the health model. Exactly one is active; a change saves a new version (who, when, what)."""

    version = models.PositiveIntegerField(unique=True)
    is_active = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True)
    changes = models.JSONField(default=list, blank=True, help_text="What changed from the previous version")
    weights = models.JSONField(default=dict)
    parameters = models.JSONField(default=dict)
    green_min = models.FloatField(default=70, help_text="green: score ≥ this")
    yellow_min = models.FloatField(default=40, help_text="yellow: score ≥ this, red below")
    drop_points = models.FloatField(default=15, help_text="at risk when the score fell at least this much…")
    drop_days = models.PositiveIntegerField(default=30, help_text="…against the score this many days before")

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=Q(is_active=True), name="health_one_active_model"
            ),
            models.CheckConstraint(
                condition=Q(green_min__gt=models.F("yellow_min")), name="health_green_above_yellow"
            ),
        ]

    def __str__(self) -> str:
        return f"Health model v{self.version}{' (active)' if self.is_active else ''}"

    def sql_params(self) -> dict[str, Any]:
        """The model as the parameters of health/sql/*.sql: w_<component>, every parameter, thresholds."""
        params: dict[str, Any] = {f"w_{name}": float(self.weights.get(name, 0)) for name in COMPONENTS}
        params.update(
            {name: float(self.parameters.get(name, value)) for name, value in DEFAULT_PARAMETERS.items()}
        )
        params.update(
            green_min=self.green_min,
            yellow_min=self.yellow_min,
            drop_points=self.drop_points,
            drop_days=self.drop_days,
            model_id=self.pk,
        )
        return params
