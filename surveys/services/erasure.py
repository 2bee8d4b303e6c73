"""Erasure (GDPR) on the surveys floor: the invitations and opt-outs of erased contacts, and an erased account's
place in the audiences picked by hand. Called by metrics.services.erasure inside the erasure's transaction."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models.functions import Lower

from accounts.models import Contact
from surveys.models import Invitation, Survey, SurveyOptOut


def survey_rows_erase(*, contact_ids: Iterable[int], account_id: int | None = None) -> dict[str, int]:
    """Delete the invitations of `contact_ids` (each holds its email and token), the opt-outs of their emails
    (an opt-out is an email address: kept, it would keep the person), and `account_id` from the accounts
    surveys were picked for. Returns counts."""
    contact_ids = list(contact_ids)
    emails = {
        email.lower() for email in Contact.objects.filter(pk__in=contact_ids).values_list("email", flat=True)
    }
    invitations = Invitation.objects.filter(contact_id__in=contact_ids)
    emails |= {email.lower() for email in invitations.values_list("email", flat=True)}
    counts = {
        "surveyoptout": SurveyOptOut.objects.annotate(lower=Lower("email"))
        .filter(lower__in=emails)
        .delete()[0],
        "invitation": invitations.delete()[0],
    }
    if account_id is not None:
        counts["survey audience"] = Survey.accounts.through.objects.filter(account_id=account_id).delete()[0]
    return {name: n for name, n in counts.items() if n}
