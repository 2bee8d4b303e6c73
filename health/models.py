"""Health-score models, alerts and tasks (METRICS.md "Health score").

The rules of a score live once, as SQL functions that every statement scoring or re-weighting accounts calls
(keel_health_score, keel_health_status, keel_health_dropped: migration 0005, `HealthModel.sql_params` gives them
their arguments). The daily scores themselves are columns of metrics.AccountDay (one row per account and day),
which the pipeline writes from health/sql/health_scores.sql. An account at risk opens an `AtRiskEpisode` and one
`Task` for its CSM (health.services.alerts); the task keeps why as data (`Task.reason`, health.reasons).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from health.reasons import reason_text

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


COMPONENT_LABELS = {
    "activity": "Activity",
    "adoption": "Adoption",
    "sentiment": "Sentiment",
    "support": "Support",
    "revenue": "Revenue",
    "recency": "Recency",
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

    def weight_list(self) -> list[float]:
        """The weights in COMPONENTS order."""
        return [float(self.weights.get(name, 0)) for name in COMPONENTS]

    def denominators(self) -> list[float | None]:
        """For each of the 64 sets of components present (bit 1 << i for COMPONENTS[i]), the sum of their weights:
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
        return params


class AtRiskEpisode(models.Model):
    """A stretch of days an account needs attention: it starts on a day the account is at risk with no episode
    open, and ends after 7 days in a row not at risk or when the account churns (MRR 0). One alert each."""

    class End(models.TextChoices):
        RECOVERED = "recovered", "7 days in a row not at risk"
        CHURNED = "churned", "Churned (MRR 0)"

    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="at_risk_episodes")
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=10, choices=End.choices, blank=True)

    class Meta:
        ordering = ["-started_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["account"], condition=Q(ended_on__isnull=True), name="at_risk_one_open_episode"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} at risk from {self.started_on}{f' to {self.ended_on}' if self.ended_on else ''}"


class TaskState:
    """What a task says of itself, for a Task and for a task read as a row for a page."""

    closed_at: datetime | None
    reason: dict[str, Any]

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def reason_text(self) -> str:
        return reason_text(self.reason)


class Task(TaskState, models.Model):
    """Something a CSM should do about an account: reach out to an account at risk, follow up an answer."""

    class Kind(models.TextChoices):
        AT_RISK = "at_risk", "At risk"
        FOLLOW_UP = "follow_up", "Follow-up"

    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="tasks")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
        help_text="The account's CSM when the task was made",
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    episode = models.OneToOneField(
        AtRiskEpisode, null=True, blank=True, on_delete=models.SET_NULL, related_name="task"
    )
    response = models.OneToOneField(
        "accounts.SurveyResponse",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="follow_up",
        help_text="The answer a follow-up is about (one task per answer, however often it changes)",
    )
    title = models.CharField(max_length=300)
    reason = models.JSONField(
        default=dict, blank=True, help_text="Why, as data (health.reasons); words: reason_text"
    )
    due_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    close_note = models.TextField(blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [
            models.Index(
                fields=["assignee", "due_on"],
                condition=Q(closed_at__isnull=True),
                name="task_open_by_assignee",
            ),
            models.Index(fields=["due_on"], condition=Q(closed_at__isnull=True), name="task_open_due"),
        ]

    def __str__(self) -> str:
        return self.title


class CachedComponents(models.Model):
    """The stored components of METRICS.md "Health score" on a day, copied for re-weighting (the Health page's
    preview and the backtest read narrow copies instead of the wide daily rows)."""

    day = models.DateField()
    activity = models.FloatField(null=True)
    adoption = models.FloatField(null=True)
    sentiment = models.FloatField(null=True)
    support = models.FloatField(null=True)
    revenue = models.FloatField(null=True)
    recency = models.FloatField(null=True)

    class Meta:
        abstract = True


class BacktestRow(CachedComponents):
    """What the backtest of any model needs of the accounts scored on a month-end (METRICS.md "Backtest"): their
    stored components, which do not depend on weights or thresholds, and how many of the accounts with those
    components churned within 90 days or stayed, which depends on no model at all. One row per day and distinct
    components (a tenth of the accounts at 100k: many share them), so a draft's backtest re-weights a narrow table
    instead of the wide daily rows and every account's paid islands. The pipeline fills a month-end once its 90
    days are computed and again when a run recomputes any of them (health.services.cached_rows)."""

    churned = models.PositiveIntegerField()
    stayed = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["day"], name="backtest_row_day")]

    def __str__(self) -> str:
        return f"{self.churned + self.stayed} accounts on {self.day}"
