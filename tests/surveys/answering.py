"""Helpers of the tests of answers and results: a survey sent to some accounts, its invitations by email."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from accounts.models import Account
from surveys.models import Invitation, Survey
from surveys.services import survey_create
from tests.surveys.conftest import Send


def survey_sent(send: Send, accounts: Iterable[Account], *, kind: str = "nps", **fields: Any) -> Survey:
    """A survey of `kind` to the contacts of `accounts`, created and sent (its emails to the test outbox)."""
    survey = survey_create(
        name=fields.pop("name", f"{kind.upper()} survey"),
        kind=kind,
        audience="accounts",
        account_ids=[account.pk for account in accounts],
        **fields,
    )
    send(survey)
    survey.refresh_from_db()
    return survey


def invitations_of(survey: Survey) -> dict[str, Invitation]:
    """The survey's invitations by email, with what the public page reads."""
    invitations = Invitation.objects.filter(survey=survey).select_related("survey", "contact__account")
    return {invitation.email: invitation for invitation in invitations}
