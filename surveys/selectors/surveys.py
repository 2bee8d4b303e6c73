"""Surveys as the Surveys page and the API list them: each with its invitations sent and answers over the accounts
the reader may see."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from accounts.models import User
from surveys.models import Invitation, Survey


def invitations_for_user(user: User) -> QuerySet[Invitation]:
    """The invitations `user` may read about: to contacts of their own accounts for a CSM, all for VPs and
    admins (as `accounts.selectors.accounts_for_user`: today's owner)."""
    if user.is_vp:
        return Invitation.objects.all()
    return Invitation.objects.filter(contact__account__csm=user)


def _count(invitations: QuerySet[Invitation]) -> Coalesce:
    counted = invitations.order_by().values("survey").annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def surveys_for_user(user: User) -> QuerySet[Survey]:
    """Every survey, newest first, with `invitations_sent` and `answers` (METRICS.md "Results of a survey Keel
    sends") over the invitations `user` may read about: one query whatever the number of surveys, each count a
    correlated subquery on the invitations' (survey, state) index."""
    invitations = invitations_for_user(user).filter(survey=OuterRef("pk"))
    return Survey.objects.annotate(
        invitations_sent=_count(invitations.filter(state=Invitation.State.SENT)),
        answers=_count(invitations.filter(response__isnull=False)),
    ).order_by("-created_at", "-pk")


def survey_get(pk: int) -> Survey:
    """The survey `pk`, or Http404. Every logged-in user may open a survey; what its results show depends on
    who reads them (`survey_results`)."""
    try:
        return Survey.objects.select_related("created_by").get(pk=pk)
    except Survey.DoesNotExist:
        raise Http404("No such survey.") from None


def round_started_at(survey: Survey) -> datetime | None:
    """When the survey's last round started: round n starts every_days × (n − 1) days after round 1; None before
    the first round."""
    if survey.round == 0 or survey.started_at is None:
        return None
    return survey.started_at + timedelta(days=(survey.every_days or 0) * (survey.round - 1))
