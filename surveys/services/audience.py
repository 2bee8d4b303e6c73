"""Who a survey asks (DATA.md §5), and the invitations of a round, created at once.

The audience is read in one query and the round's invitations written in one INSERT, whatever its size: no query
per contact.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Exists, OuterRef, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.models import Contact, SubscriptionSpan, spans_active_on
from accounts.sql import compose
from surveys.models import Invitation, Survey, SurveyOptOut


def opted_out(field: str = "email") -> Exists:
    """Whether the outer query's email `field` asked not to be surveyed (SurveyOptOut holds it lower case)."""
    return Exists(SurveyOptOut.objects.filter(email=Lower(OuterRef(field))))


def survey_audience(*, survey: Survey, now: datetime | None = None) -> QuerySet[Contact]:
    """The contacts `survey` would invite at `now`: the audience, less the opted-out emails (any case) and the
    contacts any survey invited in the last KEEL_SURVEY_COOLDOWN_DAYS days, contacts without an email left out,
    by id. Two contacts may share an address (one person at two accounts): a round asks the first one only, so
    a preview counts distinct `Lower("email")`.

    The audience (Survey.Audience): every contact of the accounts paying today (account MRR > 0 on today's
    local date, METRICS.md; spans are never negative, so that is an active span with an amount above 0); of
    those in the survey's segment; or of the accounts picked, paying or not.
    """
    now = now or timezone.now()
    contacts = Contact.objects.exclude(email="")
    if survey.audience == Survey.Audience.ACCOUNTS:
        contacts = contacts.filter(account__in=survey.accounts.all())
    else:
        today = timezone.localdate(now)
        paying = SubscriptionSpan.objects.filter(
            spans_active_on(today), account=OuterRef("account"), amount__gt=0
        )
        contacts = contacts.filter(Exists(paying))
        if survey.audience == Survey.Audience.SEGMENT:
            contacts = contacts.filter(account__segment=survey.segment)
    cooldown = now - timedelta(days=settings.KEEL_SURVEY_COOLDOWN_DAYS)
    invited = Invitation.objects.filter(contact=OuterRef("pk"), created_at__gt=cooldown)
    return contacts.exclude(opted_out()).exclude(Exists(invited)).order_by("pk")


# Raw because the invitations take the sending's own clock as created_at (the cooldown counts from it; the
# ORM's auto_now_add would take the wall clock), in one statement from three parallel arrays; ON CONFLICT keeps
# one invitation per contact and round should two sends of a round ever meet.
_INVITATIONS_INSERT = """
    INSERT INTO {invitation} (survey_id, contact_id, round, token, email, state, created_at, attempts, last_error)
    SELECT %(survey)s, new.contact_id, %(round)s, new.token, new.email, 'pending', %(now)s, 0, ''
    FROM unnest(%(contacts)s::bigint[], %(emails)s::text[], %(tokens)s::text[]) AS new(contact_id, email, token)
    ON CONFLICT DO NOTHING
"""


def invitations_create(*, survey: Survey, round: int, now: datetime) -> int:
    """Create round `round` of `survey`: one pending invitation per contact of its audience at `now`, each with
    a token of 256 random bits (`secrets.token_urlsafe(32)`: 43 URL-safe characters). Returns how many."""
    audience: dict[str, tuple[int, str]] = {}
    for pk, email in survey_audience(survey=survey, now=now).values_list("pk", "email"):
        address = email.strip()
        if address:  # one email per address, to its first contact
            audience.setdefault(address.lower(), (pk, address))
    if not audience:
        return 0
    params: dict[str, Any] = {
        "survey": survey.pk,
        "round": round,
        "now": now,
        "contacts": [pk for pk, _ in audience.values()],
        "emails": [email for _, email in audience.values()],
        "tokens": [secrets.token_urlsafe(32) for _ in audience],
    }
    with connection.cursor() as cursor:
        cursor.execute(compose(_INVITATIONS_INSERT, invitation=Invitation._meta.db_table), params)
        return cursor.rowcount
