"""Alerts and tasks: an account at risk opens an `AtRiskEpisode` and one `Task` for its CSM
(health.services.alerts); the task keeps why as data (`Task.reason`, health.reasons)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from health.reasons import reason_text


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
        MANUAL = "manual", "Task"  # made by a person, from the 360 or the task list
        PLAYBOOK = "playbook", "Playbook"  # opened by a playbook's trigger

    class Priority(models.TextChoices):
        HIGH = "high", "High"
        NORMAL = "normal", "Normal"
        LOW = "low", "Low"

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
    playbook_run = models.ForeignKey(
        "health.PlaybookRun",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
        help_text="The playbook occurrence that opened it",
    )
    title = models.CharField(max_length=300)
    reason = models.JSONField(
        default=dict, blank=True, help_text="Why, as data (health.reasons); words: reason_text"
    )
    due_on = models.DateField()
    priority = models.CharField(
        max_length=6, choices=Priority.choices, default=Priority.NORMAL, db_default=Priority.NORMAL
    )
    snoozed_until = models.DateField(
        null=True, blank=True, help_text="Left out of the open list until this day (the task stays open)"
    )
    description = models.TextField(blank=True, db_default="")  # the SQL of alerts inserts tasks too
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who made it by hand; none for tasks Keel opened",
    )
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


def tasks_awake(day: date) -> Q:
    """The open tasks that are not snoozed past `day`: what "open" means in the task list, the navigation's count,
    a CSM's dashboard and the digest (a snoozed task comes back on the day it was snoozed until)."""
    return Q(closed_at__isnull=True) & (Q(snoozed_until__isnull=True) | Q(snoozed_until__lte=day))
