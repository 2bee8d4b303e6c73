"""Health-score models, per-account daily scores, alerts and tasks (METRICS.md "Health score")."""

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


class HealthScore(models.Model):
    """An account's health on a day: the score, its status, every component (null = no data) and the at-risk flag.

    Scored daily for every account with MRR > 0; kept like metrics.AccountDay (daily rows within retention,
    month-ends forever). Components do not depend on weights, so a draft model re-weights them in SQL.
    """

    id = models.BigAutoField(primary_key=True)
    day = models.DateField()
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="health_scores")
    model = models.ForeignKey(HealthModel, on_delete=models.PROTECT, related_name="scores")
    score = models.FloatField()
    status = models.CharField(max_length=6, choices=Status.choices)
    at_risk = models.BooleanField()
    activity = models.FloatField(null=True, blank=True)
    adoption = models.FloatField(null=True, blank=True)
    sentiment = models.FloatField(null=True, blank=True)
    support = models.FloatField(null=True, blank=True)
    revenue = models.FloatField(null=True, blank=True)
    recency = models.FloatField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "account"], name="health_score_key")]
        indexes = [
            models.Index(fields=["account", "day"], name="health_score_account"),
            models.Index(fields=["day", "status"], name="health_score_status"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} on {self.day}: {self.score:.1f} {self.status}"

    def components(self) -> dict[str, float | None]:
        return {name: getattr(self, name) for name in COMPONENTS}
