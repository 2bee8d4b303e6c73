"""survey_create, survey_update, survey_close and their rules (surveys/services/surveys.py): one message per
wrong field, the default question per kind, drafts only for changes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import SurveyKind, User
from surveys.models import DEFAULT_QUESTIONS, Survey
from surveys.services import survey_close, survey_create, survey_send, survey_update, survey_validate
from tests.surveys.conftest import Book

pytestmark = pytest.mark.django_db


def errors(**fields: object) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as raised:
        survey_create(**{"name": "Q4", "kind": "nps", **fields})  # type: ignore[arg-type]
    return raised.value.message_dict


def test_a_new_survey_is_a_draft_that_asks_its_kinds_default_question(book: Book, admin_user: User) -> None:
    survey = survey_create(name="  Q4 NPS  ", kind="nps", by=admin_user)
    assert (survey.name, survey.kind, survey.question) == ("Q4 NPS", "nps", DEFAULT_QUESTIONS[SurveyKind.NPS])
    assert (survey.audience, survey.segment, survey.status, survey.round) == ("paying", "", "draft", 0)
    assert survey.created_by == admin_user and not survey.invitations.exists()
    csat = survey_create(name="CSAT", kind="csat", question="How did our onboarding go?")
    assert csat.question == "How did our onboarding go?"


def test_picked_accounts_and_a_segment(book: Book) -> None:
    picked = survey_create(
        name="Renewals",
        kind="ces",
        audience="accounts",
        account_ids=[book.accounts["Delta"].pk],
        segment="smb",
    )
    assert list(picked.accounts.all()) == [book.accounts["Delta"]] and picked.segment == ""
    smb = survey_create(name="SMB", kind="nps", audience="segment", segment="smb", account_ids=[1, 2])
    assert smb.segment == "smb" and not smb.accounts.exists()


def test_every_rule_says_which_field_is_wrong(book: Book) -> None:
    today = timezone.localdate()
    assert errors(name=" ") == {"name": ["Give the survey a name."]}
    assert errors(name="x" * 201) == {"name": ["At most 200 characters."]}
    assert errors(kind="eNPS") == {"kind": ["Choose one of nps, csat, ces."]}
    assert errors(question="?" * 501) == {"question": ["At most 500 characters."]}
    assert errors(audience="everyone") == {"audience": ["Choose one of paying, segment, accounts."]}
    assert errors(audience="segment") == {"segment": ["Choose the segment whose paying accounts are asked."]}
    assert errors(audience="segment", segment="mid-market") == {
        "segment": ["No account is in the segment 'mid-market'."]
    }
    assert errors(audience="accounts") == {"accounts": ["Pick at least one account."]}
    assert errors(audience="accounts", account_ids=[book.accounts["Atlas"].pk, 999_999]) == {
        "accounts": ["No account has the id 999999."]
    }
    assert errors(every_days=0) == {"every_days": ["A whole number of days from 1 to 3650, or blank."]}
    assert errors(reminder_days=-1) == {"reminder_days": ["A whole number of days from 1 to 3650, or blank."]}
    assert errors(every_days=7, reminder_days=7) == {
        "reminder_days": ["The reminder must come before the next round: fewer than 7 days."]
    }
    assert errors(closes_on=today - timedelta(days=1)) == {
        "closes_on": [f"The close date may not be in the past (today is {today.isoformat()})."]
    }
    assert set(errors(name="", kind="x", every_days=0)) == {"name", "kind", "every_days"}


def test_the_edges_that_are_allowed(book: Book) -> None:
    """Today as the close date, a reminder a day before the next round, one day between rounds."""
    today = timezone.localdate()
    fields = survey_validate(name="Q", kind="csat", every_days=7, reminder_days=6, closes_on=today)
    assert (fields.every_days, fields.reminder_days, fields.closes_on) == (7, 6, today)
    assert survey_validate(name="Q", kind="nps", every_days=1).every_days == 1
    assert (
        survey_validate(name="Q", kind="nps", reminder_days=30).reminder_days == 30
    )  # one-off: any reminder


def test_a_draft_can_be_changed_and_its_default_question_follows_its_kind(book: Book) -> None:
    survey = survey_create(name="Q4", kind="nps")
    changed = survey_update(survey=survey, kind="csat", reminder_days=3)
    assert (changed.kind, changed.question, changed.reminder_days) == (
        "csat",
        DEFAULT_QUESTIONS[SurveyKind.CSAT],
        3,
    )
    worded = survey_update(survey=changed, question="How was support?")
    assert survey_update(survey=worded, kind="ces").question == "How was support?"
    picked = survey_update(survey=survey, audience="accounts", account_ids=[book.accounts["Beacon"].pk])
    assert list(picked.accounts.all()) == [book.accounts["Beacon"]]
    with pytest.raises(ValidationError) as raised:
        survey_update(survey=survey, every_days=3)  # the reminder of 3 days is not before the next round
    assert set(raised.value.message_dict) == {"reminder_days"}
    with pytest.raises(TypeError, match="status"):
        survey_update(survey=survey, status="open")


def test_only_a_draft_can_be_changed(book: Book) -> None:
    survey = survey_create(name="Q4", kind="nps")
    survey_send(survey=survey)
    with pytest.raises(ValidationError) as raised:
        survey_update(survey=survey, name="Q1")
    assert raised.value.messages == ["Only a draft can be changed; this survey is sending."]
    assert Survey.objects.get().name == "Q4"


def test_closing_is_final_and_can_be_repeated(book: Book) -> None:
    survey = survey_create(name="Q4", kind="nps")
    assert survey_close(survey=survey).status == "closed"
    assert survey_close(survey=survey).status == "closed"
    assert survey_send(survey=survey) == 0 and not survey.invitations.exists()
