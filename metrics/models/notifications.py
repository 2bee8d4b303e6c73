"""What Keel sends people: the daily digests by email and Slack."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Notification(models.Model):
    """One message of a day Keel sends a person or the team (metrics.services.notifications): the daily digest by
    email, or the same to a Slack incoming webhook. One row per (channel, kind, day), written with what it says
    before anything is sent and claimed by one conditional UPDATE before each attempt, so a rerun, a second
    worker or a retry never sends it twice. `user` is the channel: a person, or none for the team's Slack."""

    class Kind(models.TextChoices):
        EMAIL = "email", "Email"
        SLACK = "slack", "Slack"

    class State(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"  # new, or waiting for its next attempt
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"  # for good: refused, or still failing after the last attempt

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=5, choices=Kind.choices)
    day = models.DateField(help_text="The day of the digest (KEEL_TIMEZONE)")
    state = models.CharField(max_length=7, choices=State.choices, default=State.PENDING)
    since = models.DateTimeField(help_text="New at-risk accounts are those alerted after this…")
    until = models.DateTimeField(help_text="…and up to this, when the digest was made")
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField(help_text="The text part (the whole message for Slack)")
    html = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "day"], nulls_distinct=False, name="notification_once_a_day"
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=False) | Q(kind="slack"), name="notification_team_slack"
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(state__in=["pending", "sending"]),
                name="notification_unsent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} digest of {self.day} to {self.user_id or 'the team'}: {self.state}"
