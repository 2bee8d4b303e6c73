"""The Segment-compatible tracking endpoint (DATA.md §3): its write keys, the messages it accepted, and the link
from a Segment user to an account that `group` calls keep.

Messages are accepted into `SegmentMessage` (one INSERT per batch, deduplicated by `messageId`) and folded into
usage events, contacts and user links later, in bulk, by `accounts.services.segment_fold`.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from accounts.models.team import User


class SegmentWriteKey(models.Model):
    """A write key a Segment source authenticates with (HTTP basic auth, the key as user name). Only its SHA-256
    is stored; the key itself is shown once, when an admin creates it."""

    name = models.CharField(max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8, help_text="The first characters of the key, to tell keys apart")
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class SegmentState(models.TextChoices):
    PENDING = "pending", "Waiting to be folded"
    APPLIED = "applied", "Applied"
    WAITING = "waiting", "Waiting for its account"
    UNMATCHED = "unmatched", "No contact to update"


class SegmentMessage(models.Model):
    """A message (track, identify or group) as accepted, until and after it is folded. `body` is the message as
    sent; the columns are what the fold needs, taken out of it when it came in."""

    id = models.BigAutoField(primary_key=True)
    message_id = models.TextField(unique=True, help_text="`messageId`, or a hash of the message without one")
    kind = models.CharField(max_length=10)
    user_id = models.CharField(max_length=200, help_text="`userId`, else `anonymousId`")
    event = models.CharField(max_length=200, blank=True)
    account_ref = models.CharField(
        max_length=200, blank=True, help_text="The account external id the message names, if it names one"
    )
    occurred_at = models.DateTimeField(help_text="`timestamp` corrected for the sender's clock skew")
    received_at = models.DateTimeField()
    state = models.CharField(max_length=10, choices=SegmentState.choices, default=SegmentState.PENDING)
    body = models.JSONField()

    class Meta:
        indexes = [
            models.Index(
                fields=["id"],
                name="segment_message_pending",
                condition=Q(state__in=[SegmentState.PENDING, SegmentState.WAITING]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.message_id} ({self.state})"


class SegmentUserAccount(models.Model):
    """The account a Segment user belongs to, from their newest `group` call (by event time). The account is
    kept as its external id: a link to an account Keel does not have yet applies once the account exists."""

    user_id = models.CharField(max_length=200, unique=True)
    account_ref = models.CharField(max_length=200)
    linked_at = models.DateTimeField(help_text="The event time of the group call")

    def __str__(self) -> str:
        return f"{self.user_id} → {self.account_ref}"
