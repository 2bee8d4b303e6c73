"""The invitation behind a public link (/s/<token>/), and whether it still takes an answer."""

from __future__ import annotations

from datetime import date

from django.db.models import Exists, OuterRef
from django.db.models.functions import Lower
from django.utils import timezone

from surveys.models import Invitation, Survey, SurveyOptOut

# Real tokens are secrets.token_urlsafe(32): 43 characters. A longer "token" is not looked up at all.
MAX_TOKEN = 64


def invitation_by_token(token: str) -> Invitation | None:
    """The invitation whose link carries `token`, with its survey, contact, the contact's account and its
    answer, and `opted_out` (whether its email asked not to be surveyed again): one query. None when no
    invitation has it."""
    if not token or len(token) > MAX_TOKEN:
        return None
    opted_out = Exists(SurveyOptOut.objects.filter(email=Lower(OuterRef("email"))))
    return (
        Invitation.objects.select_related("survey", "contact__account", "response")
        .annotate(opted_out=opted_out)
        .filter(token=token)
        .first()
    )


def invitation_closed(invitation: Invitation, *, today: date | None = None) -> bool:
    """Whether the invitation's survey no longer takes answers: closed, or past its `closes_on` day (answers
    are taken until that day, included, in KEEL_TIMEZONE)."""
    survey = invitation.survey
    today = today or timezone.localdate()
    return survey.status == Survey.Status.CLOSED or (
        survey.closes_on is not None and survey.closes_on < today
    )


def invitation_opted_out(invitation: Invitation) -> bool:
    """Whether the invitation's email asked not to be surveyed again (read with the invitation when it came from
    `invitation_by_token`)."""
    known = getattr(invitation, "opted_out", None)
    if known is not None:
        return bool(known)
    return SurveyOptOut.objects.filter(email=invitation.email.strip().lower()).exists()
