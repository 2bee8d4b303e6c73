"""What a CSM logs about an account: notes, calls, meetings and emails, with the contacts involved. The account's
timeline on the 360 interleaves them with the system's own events (metrics.selectors.timeline)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from accounts.models.book import Account, Contact


class TimelineEntry(models.Model):
    """One thing that happened with a customer, logged by a person. Only its author edits or deletes it; whoever
    may see the account sees it (DESIGN.md "Roles and access")."""

    class Kind(models.TextChoices):
        NOTE = "note", "Note"
        CALL = "call", "Call"
        MEETING = "meeting", "Meeting"
        EMAIL = "email", "Email"

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="timeline_entries")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    occurred_on = models.DateField(help_text="The day it happened (today or before)")
    text = models.TextField()
    contacts = models.ManyToManyField(Contact, blank=True, related_name="timeline_entries")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="timeline_entries"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-occurred_on", "-pk"]
        verbose_name_plural = "timeline entries"
        indexes = [models.Index(fields=["account", "-occurred_on"], name="timeline_account_day")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["note", "call", "meeting", "email"]), name="timeline_kind_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} with {self.account_id} on {self.occurred_on}"
