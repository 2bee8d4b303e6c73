"""The email of an invitation (surveys/services/emails.py): the question, one link per score of the kind's scale
with ?score=N, the ends' labels, the unsubscribe link and header, the reminder's wording; links from
KEEL_BASE_URL; a sample for a draft's preview that needs no invitation in the database."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from pytest_django.fixtures import Settings

from accounts.models import SurveyKind
from surveys.models import DEFAULT_QUESTIONS, Invitation
from surveys.services import (
    SAMPLE_TOKEN,
    invitation_email,
    invitation_link,
    invitation_sample,
    survey_create,
    unsubscribe_link,
)
from tests.surveys.conftest import Book, Send

pytestmark = pytest.mark.django_db


def html_of(message: mail.EmailMessage) -> str:
    assert isinstance(message, mail.EmailMultiAlternatives)
    ((content, mimetype),) = message.alternatives
    assert mimetype == "text/html"
    return str(content)


@pytest.mark.parametrize(
    ("kind", "scores"), [("nps", range(11)), ("csat", range(1, 6)), ("ces", range(1, 8))]
)
def test_one_link_per_score_of_the_scale(book: Book, send: Send, kind: str, scores: range) -> None:
    """NPS 0–10 (11 links), CSAT 1–5 (5), CES 1–7 (7): each score's link once in the HTML and once in the text,
    no other score, each to the invitation's answer page with that score."""
    send(survey_create(name=kind, kind=kind, audience="accounts", account_ids=[book.accounts["Beacon"].pk]))
    (message,) = mail.outbox
    invitation = Invitation.objects.get()
    answer = f"http://127.0.0.1:8000/s/{invitation.token}/"
    html = html_of(message)
    for part in (html, str(message.body)):
        found = [int(score) for score in re.findall(re.escape(answer) + r"\?score=(\d+)", part)]
        assert found == list(scores)
    assert html.count("<a href=") == len(scores) + 1  # and the unsubscribe link


def test_the_email_asks_the_question_with_the_labels_and_the_unsubscribe_link(book: Book, send: Send) -> None:
    send(survey_create(name="Q4", kind="nps", audience="accounts", account_ids=[book.accounts["Beacon"].pk]))
    (message,) = mail.outbox
    invitation = Invitation.objects.select_related("survey", "contact").get()
    question = DEFAULT_QUESTIONS[SurveyKind.NPS]
    assert message.subject == question
    assert message.to == ["cleo@beacon.example"]
    assert message.from_email == "Keel <keel@localhost>"
    unsubscribe = f"http://127.0.0.1:8000/s/{invitation.token}/unsubscribe/"
    assert message.extra_headers["List-Unsubscribe"] == f"<{unsubscribe}>"
    html = html_of(message)
    for part in (html, str(message.body)):
        assert question in part and "Cleo Beacon" in part
        assert "Not at all likely" in part and "Extremely likely" in part
        assert unsubscribe in part
        assert "Reminder" not in part and "would still like" not in part
    assert unsubscribe_link(invitation) == unsubscribe
    assert invitation_link(invitation) == f"http://127.0.0.1:8000/s/{invitation.token}/"
    assert invitation_link(invitation, score=0).endswith("/?score=0")


def test_the_reminder_says_it_is_one(book: Book) -> None:
    survey = survey_create(name="CSAT", kind="csat", question="How did we do this quarter?")
    invitation = invitation_sample(survey=survey)
    message = invitation_email(invitation, reminder=True)
    assert message.subject == "Reminder: How did we do this quarter?"
    assert "would still like to hear your answer" in message.body
    assert "would still like to hear your answer" in html_of(message)
    assert "Very dissatisfied" in message.body and "Very satisfied" in message.body


def test_links_follow_keel_base_url(book: Book, settings: Settings) -> None:
    settings.KEEL_BASE_URL = "https://keel.example.com/"
    invitation = invitation_sample(survey=survey_create(name="CES", kind="ces"))
    assert invitation_link(invitation, score=5) == f"https://keel.example.com/s/{SAMPLE_TOKEN}/?score=5"
    assert unsubscribe_link(invitation) == f"https://keel.example.com/s/{SAMPLE_TOKEN}/unsubscribe/"


def test_a_sample_renders_a_drafts_email_without_writing_anything(
    book: Book, django_assert_num_queries: object
) -> None:
    survey = survey_create(name="Draft", kind="nps", question="Would you recommend Harbor?")
    with django_assert_num_queries(0):  # type: ignore[operator]
        message = invitation_email(invitation_sample(survey=survey))
    assert message.subject == "Would you recommend Harbor?"
    assert message.to == ["sam.sample@example.com"]
    assert "Hi Sam Sample," in message.body
    assert not Invitation.objects.exists() and mail.outbox == []


def test_html_escapes_the_question_and_the_name(book: Book) -> None:
    survey = survey_create(name="X", kind="nps", question="Is <b>Keel</b> & co good?")
    invitation = invitation_sample(survey=survey)
    invitation.contact.name = "<script>x</script>"
    message = invitation_email(invitation)
    html = html_of(message)
    assert "Is &lt;b&gt;Keel&lt;/b&gt; &amp; co good?" in html and "<script>" not in html
    assert "Is <b>Keel</b> & co good?" in message.body  # the text part is plain text
