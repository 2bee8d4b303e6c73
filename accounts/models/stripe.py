"""Stripe webhooks (DATA.md §4): every accepted event, kept as it came, and the Stripe customers Keel has seen.

An event is stored once per event id (a replay changes nothing) with what became of it. A customer that maps to
no account waits in the quarantine (`StripeCustomer.account` blank) with its events until an admin maps it;
then its events apply in order, and the mapping is remembered for the events that follow.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from accounts.models.book import Account
from accounts.models.team import User


class StripeCustomer(models.Model):
    """A Stripe customer id and the account it belongs to (blank: quarantined, waiting for an admin)."""

    customer_id = models.CharField(max_length=255, unique=True)
    account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="stripe_customers"
    )
    # What the events said that did not match an account (metadata.keel_account_id), shown on the page.
    hint = models.CharField(max_length=255, blank=True)
    first_seen_at = models.DateTimeField(auto_now_add=True)
    mapped_at = models.DateTimeField(null=True, blank=True)
    mapped_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        indexes = [
            models.Index(
                fields=["first_seen_at"], condition=Q(account__isnull=True), name="stripe_quarantine"
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} → {self.account_id or 'quarantine'}"


class StripeEvent(models.Model):
    """A Stripe event as it came (its JSON), and what Keel did with it."""

    class State(models.TextChoices):
        APPLIED = "applied", "Applied"
        QUARANTINED = "quarantined", "Waiting for its customer's account"
        IGNORED = "ignored", "Ignored"
        SUPERSEDED = "superseded", "Superseded by a newer event"

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    created = models.DateTimeField(help_text="When Stripe created the event")
    subscription_id = models.CharField(max_length=255, blank=True)
    customer_id = models.CharField(max_length=255, blank=True)
    payload = models.JSONField()
    state = models.CharField(max_length=12, choices=State.choices)
    reason = models.TextField(blank=True, help_text="Why it was ignored or superseded")
    received_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["applied", "quarantined", "ignored", "superseded"]),
                name="stripe_event_state",
            )
        ]
        indexes = [
            # The newest applied event of a subscription (the newer state wins).
            models.Index(
                fields=["subscription_id", "-created", "-event_id"],
                condition=Q(state="applied"),
                name="stripe_event_applied",
            ),
            models.Index(
                fields=["customer_id", "created", "event_id"],
                condition=Q(state="quarantined"),
                name="stripe_event_waiting",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} {self.type} ({self.state})"
