"""Erasure (GDPR) on the ground floor: the rows of accounts that belong to an erased account or contact.

The apps above delete their own rows first (health, surveys, metrics); `metrics.services.erasure` runs them all
in one transaction, recomputes the snapshots and leaves the audit entry. Each function returns how many rows of
each kind it deleted (the entry keeps the counts, never the data)."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.db.models import Q

from accounts.models import (
    Account,
    AccountOwnership,
    Contact,
    SegmentMessage,
    SegmentUserAccount,
    StripeCustomer,
    StripeEvent,
    SubscriptionSpan,
    SurveyResponse,
    Ticket,
    TimelineEntry,
    UsageEvent,
)

# The usage journal learns the days of the events an erasure deletes, so the pipeline's rollups of those days
# are recomputed without them (accounts.services.book.usage_days_changed does it for what a writer inserts).
_USAGE_DAYS_MARK = """
    INSERT INTO accounts_changedusageday (day, marked_at)
    SELECT DISTINCT (occurred_at AT TIME ZONE %s)::date, now() FROM accounts_usageevent
    WHERE account_id = %s AND (%s::text IS NULL OR user_id = %s)
    ON CONFLICT (day) DO UPDATE SET marked_at = excluded.marked_at
"""


def _usage_days_mark(*, account_id: int, user_id: str | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(_USAGE_DAYS_MARK, [settings.KEEL_TIMEZONE, account_id, user_id, user_id])


def _count(deleted: tuple[int, dict[str, int]]) -> dict[str, int]:
    return {label.split(".")[-1].lower(): n for label, n in deleted[1].items() if n}


def account_facts_erase(*, account: Account) -> dict[str, int]:
    """Delete `account` and every row of accounts that belongs to it: contacts (and what `contact_facts_erase`
    deletes of each), subscription spans, tickets, usage events (their days marked in the usage journal),
    survey responses, timeline entries, ownership history, the Stripe customers mapped to it with their stored
    events, and the Segment messages and user links that name its external id."""
    counts: dict[str, int] = {}

    def add(more: dict[str, int]) -> None:
        for name, n in more.items():
            counts[name] = counts.get(name, 0) + n

    for contact in Contact.objects.filter(account=account):
        add(contact_facts_erase(contact=contact, delete_contact=False))
    _usage_days_mark(account_id=account.pk)
    customers = StripeCustomer.objects.filter(account=account)
    add(_count(StripeEvent.objects.filter(customer_id__in=customers.values("customer_id")).delete()))
    add(_count(customers.delete()))
    ref = Q(account_ref=account.external_id)
    add(_count(SegmentMessage.objects.filter(ref).delete()))
    add(_count(SegmentUserAccount.objects.filter(ref).delete()))
    for model in (
        UsageEvent,
        Ticket,
        SurveyResponse,
        SubscriptionSpan,
        TimelineEntry,
        AccountOwnership,
        Contact,
    ):
        add(_count(model._default_manager.filter(account=account).delete()))
    add(_count(Account.objects.filter(pk=account.pk).delete()))
    return counts


def contact_facts_erase(*, contact: Contact, delete_contact: bool = True) -> dict[str, int]:
    """Delete what accounts holds of `contact`: its survey responses, its links to timeline entries (the
    entries stay: they are the CSM's record of the account), the usage events of its account whose user id is
    the contact's external id (the id Segment's identify matches contacts by; their days marked in the usage
    journal), the Segment messages and group links of that user id, and the contact itself unless
    `delete_contact` is False (an account's erasure deletes its contacts with it)."""
    counts: dict[str, int] = {}
    user = contact.external_id
    _usage_days_mark(account_id=contact.account_id, user_id=user)
    for name, deleted in (
        ("surveyresponse", SurveyResponse.objects.filter(contact=contact).delete()),
        ("timeline link", TimelineEntry.contacts.through.objects.filter(contact=contact).delete()),
        ("usageevent", UsageEvent.objects.filter(account_id=contact.account_id, user_id=user).delete()),
        ("segmentmessage", SegmentMessage.objects.filter(user_id=user).delete()),
        ("segmentuseraccount", SegmentUserAccount.objects.filter(user_id=user).delete()),
    ):
        if deleted[0]:
            counts[name] = counts.get(name, 0) + deleted[0]
    if delete_contact:
        counts["contact"] = Contact.objects.filter(pk=contact.pk).delete()[0]
    return counts
