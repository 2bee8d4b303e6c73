"""contact_unsubscribe (surveys/services/invitations.py): the invitation's email, any case, is never surveyed
again, by this survey's reminder or by any later survey; what was waiting to go to it is dropped; twice is once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from surveys.models import Invitation, SurveyOptOut
from surveys.services import contact_unsubscribe, survey_create, survey_send
from tests.factories import ContactFactory
from tests.surveys.conftest import Book, Send

pytestmark = pytest.mark.django_db


def test_an_unsubscribe_is_honoured_by_every_later_survey(book: Book, send: Send) -> None:
    """ben unsubscribes from the Q4 NPS. The reminder 3 days later goes to ana and cleo; a CSAT survey after
    the cooldown asks them again but not ben, nor his second contact record with the address in capitals."""
    start = timezone.now()
    survey = survey_create(name="Q4", kind="nps", reminder_days=3)
    send(survey, now=start)
    ben = Invitation.objects.get(email="ben@atlas.example")
    opt_out = contact_unsubscribe(invitation=ben)
    assert (opt_out.email, opt_out.invitation) == ("ben@atlas.example", ben)
    ContactFactory(account=book.accounts["Beacon"], email="BEN@Atlas.example")

    mail.outbox.clear()
    assert send(survey, now=start + timedelta(days=3, minutes=1)) == 2
    assert {message.to[0] for message in mail.outbox} == book.emails("ana", "cleo")

    mail.outbox.clear()
    assert send(survey_create(name="CSAT", kind="csat"), now=start + timedelta(days=91)) == 2
    assert {message.to[0] for message in mail.outbox} == book.emails("ana", "cleo")


def test_unsubscribing_twice_is_once(book: Book, send: Send) -> None:
    send(survey_create(name="Q4", kind="nps"))
    invitation = Invitation.objects.get(email="cleo@beacon.example")
    first = contact_unsubscribe(invitation=invitation)
    assert contact_unsubscribe(invitation=invitation) == first
    assert SurveyOptOut.objects.count() == 1


def test_what_was_waiting_to_go_to_the_email_is_dropped(book: Book, send: Send) -> None:
    """Two surveys queued, not sent yet; cleo unsubscribes through the first: neither emails her, and the second
    is open once the others are sent."""
    first, second = (
        survey_create(name="A", kind="nps"),
        survey_create(name="B", kind="ces", audience="accounts", account_ids=[book.accounts["Beacon"].pk]),
    )
    survey_send(survey=first)
    contact_unsubscribe(invitation=Invitation.objects.get(survey=first, email="cleo@beacon.example"))
    assert not Invitation.objects.filter(email="cleo@beacon.example").exists()
    assert send(second) == 0
    second.refresh_from_db()
    assert second.status == "open"
