"""Playbooks: what an admin wants done when something happens to an account. A playbook has a trigger and an ordered
list of task templates; when the trigger fires for an account on a day, Keel opens one task per template for the
account's CSM, once per occurrence (`PlaybookRun`'s unique key), so a rerun of the same day opens nothing new.
The triggers are evaluated set-based by the nightly run (health/sql/playbooks.sql, health.services.playbooks)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from health.models.tasks import Task


class Trigger(models.TextChoices):
    TURNED_RED = "turned_red", "Turned red"
    AT_RISK = "at_risk", "Dropped into at risk"
    RENEWAL = "renewal", "Renewal in N days"
    ONBOARDING = "onboarding", "New account (onboarding)"
    DETRACTOR = "detractor", "Detractor answer (NPS 0–6)"


class Playbook(models.Model):
    """A trigger and the tasks it opens. `days` is the N of a renewal trigger (unused by the others)."""

    name = models.CharField(max_length=200, unique=True)
    trigger = models.CharField(max_length=12, choices=Trigger.choices)
    days = models.PositiveIntegerField(null=True, blank=True, help_text="Renewal in N days: N")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(trigger="renewal", days__isnull=False, days__gte=1) | ~Q(trigger="renewal"),
                name="playbook_renewal_has_days",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def trigger_text(self) -> str:
        if self.trigger == Trigger.RENEWAL:
            return f"Renewal in {self.days} days"
        return str(Trigger(self.trigger).label)


class PlaybookStep(models.Model):
    """One task template of a playbook: due `offset_days` after the day the trigger fired."""

    playbook = models.ForeignKey(Playbook, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveIntegerField()
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    offset_days = models.PositiveIntegerField(default=0, help_text="Due this many days after the trigger")
    priority = models.CharField(max_length=6, choices=Task.Priority.choices, default=Task.Priority.NORMAL)

    class Meta:
        ordering = ["playbook", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["playbook", "position"], name="playbook_step_position_unique")
        ]

    def __str__(self) -> str:
        return self.title


class PlaybookRun(models.Model):
    """A playbook fired for an account: once per occurrence (the day it turned red or dropped into at risk or
    became a customer, `<subscription>@<term end>` of a renewal, `response:<id>` of an answer)."""

    playbook = models.ForeignKey(Playbook, on_delete=models.CASCADE, related_name="runs")
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="playbook_runs")
    occurrence = models.CharField(max_length=300)
    fired_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-fired_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["playbook", "account", "occurrence"], name="playbook_run_once_per_occurrence"
            )
        ]

    def __str__(self) -> str:
        return f"{self.playbook} for {self.account_id} on {self.fired_on}"
