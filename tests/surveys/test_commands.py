"""`survey_create` and `survey_send` (surveys/management/commands/): the services' rules, their errors naming the
option, the id and the count printed."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from pytest_django import DjangoCaptureOnCommitCallbacks

from accounts.models import SurveyKind
from surveys.models import DEFAULT_QUESTIONS, Survey
from tests.surveys.conftest import Book

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue().strip()


def test_survey_create_prints_the_id_of_the_new_draft(book: Book) -> None:
    printed = run(
        "survey_create",
        "--kind",
        "csat",
        "--name",
        "SMB CSAT",
        "--segment",
        "smb",
        "--reminder-days",
        "3",
        "--closes-on",
        "2999-01-31",
    )
    survey = Survey.objects.get()
    assert printed == str(survey.pk)
    assert (survey.kind, survey.name, survey.audience, survey.segment) == (
        "csat",
        "SMB CSAT",
        "segment",
        "smb",
    )
    assert (survey.question, survey.reminder_days, str(survey.closes_on)) == (
        DEFAULT_QUESTIONS[SurveyKind.CSAT],
        3,
        "2999-01-31",
    )
    assert survey.status == "draft"
    run("survey_create", "--kind", "nps", "--name", "All", "--question", "Would you recommend us?")
    assert Survey.objects.get(name="All").audience == "paying"


def test_survey_create_names_the_option_that_is_wrong(book: Book) -> None:
    with pytest.raises(CommandError) as raised:
        run("survey_create", "--kind", "nps", "--name", "X", "--every-days", "7", "--reminder-days", "9")
    assert (
        str(raised.value)
        == "--reminder-days: The reminder must come before the next round: fewer than 7 days."
    )
    with pytest.raises(CommandError, match=r"^--segment: No account is in the segment 'nowhere'\.$"):
        run("survey_create", "--kind", "nps", "--name", "X", "--segment", "nowhere")
    with pytest.raises(CommandError, match=r"'2024-02-30'"):
        run("survey_create", "--kind", "nps", "--name", "X", "--closes-on", "2024-02-30")
    with pytest.raises(CommandError, match=r"^--closes-on: The close date may not be in the past"):
        run("survey_create", "--kind", "nps", "--name", "X", "--closes-on", "2001-01-01")
    assert not Survey.objects.exists()


def test_survey_send_sends_what_is_due_and_prints_how_many(
    book: Book, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    survey_id = run("survey_create", "--kind", "nps", "--name", "Q4")
    with django_capture_on_commit_callbacks(execute=True):
        assert run("survey_send", survey_id) == "3"
    assert len(mail.outbox) == 3
    with django_capture_on_commit_callbacks(execute=True):
        assert run("survey_send", survey_id) == "0"
    assert len(mail.outbox) == 3


def test_survey_send_of_an_unknown_survey(book: Book) -> None:
    with pytest.raises(CommandError, match="No survey has the id 404"):
        run("survey_send", "404")
