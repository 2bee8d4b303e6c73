"""Reads of the Stripe webhooks for the quarantine page (admins): who waits, and the latest events."""

from __future__ import annotations

from django.db.models import Count, Max, Min, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from accounts.models import StripeCustomer, StripeEvent


def _waiting(aggregate: Count | Min | Max) -> Subquery:
    events = StripeEvent.objects.filter(
        customer_id=OuterRef("customer_id"), state=StripeEvent.State.QUARANTINED
    ).order_by()
    return Subquery(events.values("customer_id").annotate(value=aggregate).values("value")[:1])


def stripe_quarantine() -> QuerySet[StripeCustomer]:
    """The customers that map to no account, oldest first, each with its waiting events' count and dates."""
    return (
        StripeCustomer.objects.filter(account__isnull=True)
        .annotate(
            waiting=Coalesce(_waiting(Count("id")), 0),
            first_event=_waiting(Min("created")),
            last_event=_waiting(Max("created")),
        )
        .order_by("first_seen_at", "customer_id")
    )


def stripe_events_recent(limit: int = 20) -> QuerySet[StripeEvent]:
    """The latest events received, for the page's table (without their payloads)."""
    return StripeEvent.objects.defer("payload").order_by("-received_at", "-id")[:limit]
