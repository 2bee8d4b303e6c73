"""response_record (surveys/services/answers.py): an answer is a SurveyResponse of the contact's account, linked
from its invitation; changing it updates the same response; a detractor or a low CSAT opens one follow-up task
for the account's CSM; a score off the kind's scale, a long comment, a closed survey or an address that
unsubscribed are refused and change nothing."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import DataSource, SurveyResponse
from accounts.selectors.sources import source_days
from health.models import Task
from surveys.models import Invitation, Survey
from surveys.services import contact_unsubscribe, survey_close
from surveys.services.answers import MAX_COMMENT, response_record
from tests.surveys.answering import invitations_of, survey_sent
from tests.surveys.conftest import Book, Send

pytestmark = pytest.mark.django_db

MARCH = datetime(2025, 3, 5, 14, 30, tzinfo=timezone.get_fixed_timezone(0))


@pytest.fixture
def cleo(book: Book, send: Send) -> Invitation:
    """Cleo Beacon's invitation to an NPS survey of Beacon (whose CSM is made by the factory)."""
    survey = survey_sent(send, [book.accounts["Beacon"]])
    return invitations_of(survey)["cleo@beacon.example"]


def test_the_first_answer_is_a_response_of_the_contacts_account(cleo: Invitation) -> None:
    response = response_record(invitation=cleo, score=9, comment="  Great support  ", now=MARCH)
    stored = SurveyResponse.objects.get()
    assert stored == response
    assert (stored.external_id, stored.kind, stored.score, stored.comment) == (
        f"keel-invitation-{cleo.pk}",
        "nps",
        9,
        "Great support",
    )
    assert (stored.contact, stored.account, stored.responded_at) == (
        cleo.contact,
        cleo.contact.account,
        MARCH,
    )
    cleo.refresh_from_db()
    assert cleo.response == stored
    assert not Task.objects.exists()  # a promoter needs no follow-up


def test_changing_an_answer_updates_the_same_response_and_opens_no_second_task(cleo: Invitation) -> None:
    """3 (a detractor: a task for Beacon's CSM with the score and comment), then 2 a day later: the same
    response, now 2 as of the change; still one task, as the first answer opened it."""
    first = response_record(invitation=cleo, score=3, comment="Too slow", now=MARCH)
    task = Task.objects.get()
    assert task.response == first
    assert task.assignee == cleo.contact.account.csm
    assert task.kind == Task.Kind.FOLLOW_UP
    assert task.reason_text == "NPS 3 from Cleo Beacon: “Too slow”"
    later = MARCH + timedelta(days=1)
    second = response_record(invitation=cleo, score=2, comment="Still slow", now=later)
    assert second.pk == first.pk
    assert SurveyResponse.objects.count() == 1
    stored = SurveyResponse.objects.get()
    assert (stored.score, stored.comment, stored.responded_at) == (2, "Still slow", later)
    assert Task.objects.count() == 1


def test_a_passive_who_turns_detractor_gets_the_follow_up_then(cleo: Invitation) -> None:
    response_record(invitation=cleo, score=8, comment="", now=MARCH)
    assert not Task.objects.exists()
    response_record(invitation=cleo, score=4, comment="Worse", now=MARCH + timedelta(hours=2))
    assert Task.objects.get().reason_text == "NPS 4 from Cleo Beacon: “Worse”"


@pytest.mark.parametrize(
    ("kind", "score", "opens"),
    [
        ("nps", 6, True),
        ("nps", 7, False),
        ("csat", 2, True),
        ("csat", 3, False),
        ("ces", 1, False),
    ],
)
def test_which_answers_open_a_follow_up(book: Book, send: Send, kind: str, score: int, opens: bool) -> None:
    """A detractor (NPS 0–6) or a low CSAT (1–2) opens one (DATA.md §5); a CES answer never does."""
    survey = survey_sent(send, [book.accounts["Beacon"]], kind=kind)
    response = response_record(
        invitation=invitations_of(survey)["cleo@beacon.example"], score=score, comment=""
    )
    assert response.kind == kind
    assert Task.objects.filter(response=response).exists() is opens


@pytest.mark.parametrize(
    ("kind", "score"),
    [("nps", -1), ("nps", 11), ("csat", 0), ("csat", 6), ("ces", 0), ("ces", 8), ("nps", True)],
)
def test_a_score_off_the_kinds_scale_is_refused(book: Book, send: Send, kind: str, score: int) -> None:
    survey = survey_sent(send, [book.accounts["Beacon"]], kind=kind)
    with pytest.raises(ValidationError) as raised:
        response_record(invitation=invitations_of(survey)["cleo@beacon.example"], score=score, comment="")
    assert list(raised.value.message_dict) == ["score"]
    assert not SurveyResponse.objects.exists()


def test_a_comment_too_long_is_refused(cleo: Invitation) -> None:
    with pytest.raises(ValidationError) as raised:
        response_record(invitation=cleo, score=5, comment="x" * (MAX_COMMENT + 1))
    assert raised.value.message_dict == {
        "comment": [f"At most {MAX_COMMENT} characters (this one has {MAX_COMMENT + 1})."]
    }
    response_record(invitation=cleo, score=5, comment="x" * MAX_COMMENT)
    assert SurveyResponse.objects.get().comment == "x" * MAX_COMMENT


def test_a_closed_survey_takes_no_answer(cleo: Invitation) -> None:
    survey_close(survey=cleo.survey)
    with pytest.raises(ValidationError, match="closed"):
        response_record(invitation=cleo, score=5, comment="")
    assert not SurveyResponse.objects.exists()


def test_a_survey_past_its_close_date_takes_no_answer(cleo: Invitation) -> None:
    """closes_on is the last day that takes answers: that day yes, the next no."""
    Survey.objects.filter(pk=cleo.survey_id).update(closes_on=date(2025, 3, 5))
    response_record(invitation=cleo, score=5, comment="", now=MARCH)
    with pytest.raises(ValidationError, match="closed"):
        response_record(invitation=cleo, score=6, comment="", now=MARCH + timedelta(days=1))
    assert SurveyResponse.objects.get().score == 5


def test_an_address_that_unsubscribed_answers_no_more(cleo: Invitation) -> None:
    contact_unsubscribe(invitation=cleo)
    with pytest.raises(ValidationError, match="not to be surveyed"):
        response_record(invitation=cleo, score=5, comment="")
    assert not SurveyResponse.objects.exists()


def test_each_answer_counts_for_the_data_sources_page(cleo: Invitation) -> None:
    response_record(invitation=cleo, score=8, comment="", now=MARCH)
    response_record(invitation=cleo, score=9, comment="changed", now=MARCH + timedelta(hours=1))
    (counted,) = source_days(source=DataSource.SURVEYS)
    assert (counted.day, counted.accepted, counted.rejected) == (
        MARCH.date(),
        2,
        0,
    )  # a change is a record too
