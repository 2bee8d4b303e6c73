"""The health model: its components, default weights and parameters, and its versions (METRICS.md "Health
score"). The rules of a score live once, as SQL functions that every statement scoring or re-weighting accounts
calls (keel_health_score, keel_health_status, keel_health_dropped: migration 0005, `HealthModel.sql_params` gives
them their arguments). The daily scores themselves are columns of metrics.AccountDay (one row per account and
day), which the pipeline writes from health/sql/health_scores.sql."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

COMPONENTS = ("activity", "adoption", "sentiment", "support", "revenue", "recency", "revenue_trend")

# METRICS.md "Health score (default model)".
DEFAULT_WEIGHTS: dict[str, float] = {
    "activity": 30,
    "adoption": 15,
    "sentiment": 20,
    "support": 15,
    "revenue": 10,
    "recency": 10,
    "revenue_trend": 0,  # added later (health 0008): 0 keeps the default model's scores; see RECOMMENDED_*
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
    "revenue_trend_days": 90,  # MRR(d) against the highest MRR of the days d − this … d
    "revenue_trend_penalty": 200,  # points per whole share of that peak lost
    "onboarding_rules": 0,  # 1: onboarding accounts are scored on what applies to them (METRICS.md)
}
# Keel's recommended model (health 0008 saves it as an inactive version): the default one with the revenue trend
# weighed and the onboarding rules on.
RECOMMENDED_WEIGHTS: dict[str, float] = {**DEFAULT_WEIGHTS, "revenue_trend": 10}
RECOMMENDED_PARAMETERS: dict[str, float] = {**DEFAULT_PARAMETERS, "onboarding_rules": 1}
RECOMMENDED_NOTE = "Keel's recommended model: revenue trend (weight 10) and onboarding rules"


COMPONENT_LABELS = {
    "activity": "Activity",
    "adoption": "Adoption",
    "sentiment": "Sentiment",
    "support": "Support",
    "revenue": "Revenue",
    "recency": "Recency",
    "revenue_trend": "Revenue trend",
}
# Components that are never null for a scored account: a model needs weight on one of them, so every account
# with MRR gets a score.
ALWAYS_PRESENT = ("activity", "support", "recency")


@dataclass(frozen=True)
class Parameter:
    """How a parameter of the model reads on the Health page and how far it may go."""

    label: str
    unit: str
    minimum: float
    maximum: float
    whole: bool  # a number of days


PARAMETERS: dict[str, Parameter] = {
    "activity_target_days": Parameter("Activity: active days (of 30) that score 100", "days", 1, 30, True),
    "sentiment_window_days": Parameter("Sentiment: NPS answers count for", "days", 1, 730, True),
    "support_window_days": Parameter("Support: tickets count for", "days", 1, 365, True),
    "support_high_penalty": Parameter(
        "Support: points off per high or urgent ticket", "points", 0, 100, False
    ),
    "support_other_penalty": Parameter("Support: points off per other ticket", "points", 0, 100, False),
    "revenue_lookback_days": Parameter(
        "Revenue: compare MRR with this many days before", "days", 1, 365, True
    ),
    "revenue_drop_penalty": Parameter(
        "Revenue: points off per whole share of MRR lost", "points", 0, 1000, False
    ),
    "recency_zero_after_days": Parameter("Recency: 0 when the last use is this old", "days", 1, 365, True),
    "recency_ramp_days": Parameter("Recency: falls from 100 to 0 over", "days", 1, 365, True),
    "revenue_trend_days": Parameter(
        "Revenue trend: compare MRR with its highest of this many days before", "days", 1, 365, True
    ),
    "revenue_trend_penalty": Parameter(
        "Revenue trend: points off per whole share of that highest MRR lost", "points", 0, 1000, False
    ),
    "onboarding_rules": Parameter(
        "Onboarding accounts: pro-rated activity, no revenue, never at risk (1 = on, 0 = off)", "", 0, 1, True
    ),
}


class Stage(models.TextChoices):
    """An account's lifecycle stage on a day (METRICS.md "Lifecycle stage"); null when it never paid. The rule is
    the SQL function keel_account_stage (health 0008), with the days of settings KEEL_ONBOARDING_DAYS and
    KEEL_MATURE_DAYS (`stage_params`)."""

    ONBOARDING = "onboarding", "Onboarding"
    ADOPTING = "adopting", "Adopting"
    MATURE = "mature", "Mature"
    CHURNED = "churned", "Churned"


def stage_params() -> dict[str, int]:
    """The settings of the lifecycle stages, as parameters of the SQL that calls keel_account_stage."""
    return {"onboarding_days": settings.KEEL_ONBOARDING_DAYS, "mature_days": settings.KEEL_MATURE_DAYS}


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

    def weight_list(self) -> list[float]:
        """The weights in COMPONENTS order."""
        return [float(self.weights.get(name, 0)) for name in COMPONENTS]

    def denominators(self) -> list[float | None]:
        """For each of the 128 sets of components present (bit 1 << i for COMPONENTS[i]), the sum of their weights:
        summed exactly in decimal, as PostgreSQL sums the weights written into a statement, then made a float for
        the division, so the score's denominator is the same to the last bit however it is looked up; None where
        it is 0 (no score)."""
        weights = [Decimal(repr(weight)) for weight in self.weight_list()]
        sums: list[float | None] = []
        for mask in range(1 << len(COMPONENTS)):
            total = sum((weight for index, weight in enumerate(weights) if mask & (1 << index)), Decimal(0))
            sums.append(float(total) if total else None)
        return sums

    def sql_params(self) -> dict[str, Any]:
        """The model as the parameters of the health SQL: weights and denominators (the score functions'
        arrays), every parameter, the thresholds and the drop rule."""
        params: dict[str, Any] = {"weights": self.weight_list(), "denominators": self.denominators()}
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
        params.update(stage_params())
        return params
