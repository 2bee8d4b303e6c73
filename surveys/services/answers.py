"""An answer given on the public page (DATA.md §5): a raw fact in accounts like an imported answer, linked from its
invitation, and the follow-up task a detractor's or a low CSAT's answer opens (health)."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import SCALES, DataSource, SurveyKind, SurveyResponse
from accounts.services import source_accepted
from health.services import task_follow_up_open
from surveys.models import Invitation
from surveys.selectors import invitation_closed, invitation_opted_out

MAX_COMMENT = 2000


def response_external_id(invitation: Invitation) -> str:
    """The external id of an invitation's answer: one answer per invitation, whatever how often it changes."""
    return f"keel-invitation-{invitation.pk}"


def response_record(
    *, invitation: Invitation, score: int, comment: str, now: datetime | None = None
) -> SurveyResponse:
    """Record `score` and `comment` as the answer to `invitation`, at `now` (default: now), and return it.

    The first answer creates the invitation's SurveyResponse (external id "keel-invitation-<id>", the contact
    and the contact's account); a later one updates the same response (score, comment, responded_at), so an
    answer changed counts once, as of its last change. Opens the follow-up task of a detractor (NPS 0–6) or a
    low CSAT (1–2) through health (`task_follow_up_open`: once per answer, so changing it opens no second task).

    A ValidationError when `score` is not on the kind's scale (`score`), the comment is longer than MAX_COMMENT
    characters (`comment`), or the invitation takes no answer: its survey is closed or past `closes_on`, or its
    email asked not to be surveyed again.
    """
    now = now or timezone.now()
    kind = SurveyKind(invitation.survey.kind)
    low, high = SCALES[kind]
    errors: dict[str, str] = {}
    if isinstance(score, bool) or not isinstance(score, int) or not low <= score <= high:
        errors["score"] = f"Choose a score from {low} to {high}."
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        errors["comment"] = f"At most {MAX_COMMENT} characters (this one has {len(comment)})."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # Locked: two submits of one link at once write one response, the second as the change.
        locked = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("survey", "contact")
            .get(pk=invitation.pk)
        )
        if invitation_closed(locked, today=timezone.localdate(now)):
            raise ValidationError("This survey is closed: it takes no more answers.")
        if invitation_opted_out(locked):
            raise ValidationError("This address asked not to be surveyed: the link takes no answers.")
        contact = locked.contact
        response, _ = SurveyResponse.objects.update_or_create(
            external_id=response_external_id(locked),
            defaults={
                "kind": kind,
                "score": score,
                "comment": comment,
                "responded_at": now,
                "contact": contact,
                "account_id": contact.account_id,
            },
        )
        if locked.response_id != response.pk:
            Invitation.objects.filter(pk=locked.pk).update(response=response)
        task_follow_up_open(response=response)
        source_accepted(DataSource.SURVEYS, 1, at=now)
    invitation.response = response
    return response
