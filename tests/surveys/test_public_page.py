"""The public pages of an invitation's link (surveys/views/public.py): /s/<token>/ shows the question with the
linked score chosen and records nothing on a GET; its POST (CSRF-protected) records the answer and shows the
thanks page, from which it can be changed; an unknown link is a 404 page, a closed survey or an address that
unsubscribed a 410 page; /s/<token>/unsubscribe/ asks, then unsubscribes."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import Account, SurveyResponse, User
from health.models import Task
from surveys.models import Invitation, Survey, SurveyOptOut
from surveys.services import survey_close, survey_create
from tests.factories import ContactFactory
from tests.surveys.answering import invitations_of, survey_sent
from tests.surveys.conftest import Send

pytestmark = pytest.mark.django_db


@pytest.fixture
def hana(own_account: Account, send: Send) -> Invitation:
    """Hana Harbor's invitation to an NPS survey of Harbor Lights, which Alice owns."""
    return invitations_of(survey_sent(send, [own_account]))["hana@harbor.example"]


def answer_url(invitation: Invitation, query: str = "") -> str:
    return reverse("survey_answer", args=[invitation.token]) + query


def checked(html: str) -> list[str]:
    return re.findall(r'name="score" id="score-\d+" value="(\d+)" checked', html)


def nothing_recorded() -> bool:
    return not SurveyResponse.objects.exists() and not Task.objects.exists()


def test_a_get_shows_the_question_with_the_linked_score_and_records_nothing(
    client: Client, hana: Invitation
) -> None:
    """What a mail scanner does: every score's link of the email, once each, then the page itself."""
    for score in range(11):
        response = client.get(answer_url(hana, f"?score={score}"))
        assert response.status_code == 200
        assert checked(response.content.decode()) == [str(score)]
    html = client.get(answer_url(hana)).content.decode()
    assert "How likely are you to recommend us to a friend or colleague?" in html
    assert len(re.findall(r'type="radio" name="score"', html)) == 11
    assert "0 = Not at all likely" in html and "10 = Extremely likely" in html
    assert '<textarea name="comment"' in html
    assert checked(html) == []
    assert "Log out" not in html  # no Keel navigation for a contact
    assert nothing_recorded()
    hana.refresh_from_db()
    assert hana.response is None


@pytest.mark.parametrize("query", ["?score=11", "?score=-1", "?score=abc", "?score="])
def test_a_score_off_the_scale_in_the_link_chooses_nothing(
    client: Client, hana: Invitation, query: str
) -> None:
    response = client.get(answer_url(hana, query))
    assert response.status_code == 200
    assert checked(response.content.decode()) == []


def test_a_post_records_the_answer_and_thanks(client: Client, hana: Invitation) -> None:
    response = client.post(answer_url(hana), {"score": "9", "comment": "Quick replies"})
    assert response.status_code == 302
    assert response["Location"] == reverse("survey_thanks", args=[hana.token])
    stored = SurveyResponse.objects.get()
    assert (stored.score, stored.comment, stored.account_id) == (9, "Quick replies", hana.contact.account_id)
    thanks = client.get(response["Location"]).content.decode()
    assert "Thank you" in thanks and 'id="answer-score">9<' in thanks and "Quick replies" in thanks
    assert f'href="{answer_url(hana)}"' in thanks  # the way back to change it
    again = client.get(answer_url(hana)).content.decode()
    assert checked(again) == ["9"]
    assert "Quick replies</textarea>" in again and "Change my answer" in again


def test_changing_the_answer_on_the_page_updates_it_and_opens_no_second_task(
    client: Client, csm: User, hana: Invitation
) -> None:
    """A detractor's 3 opens the follow-up task, which Alice's dashboard lists among her open tasks; a 5 later
    is the same response, and the task stays the only one."""
    client.post(answer_url(hana), {"score": "3", "comment": "Too many outages"})
    client.post(answer_url(hana), {"score": "5", "comment": "Still outages"})
    stored = SurveyResponse.objects.get()
    assert (stored.score, stored.comment) == (5, "Still outages")
    task = Task.objects.get()
    assert (task.response, task.assignee) == (stored, csm)
    client.force_login(csm)
    dashboard = client.get(reverse("my_dashboard")).content.decode()
    assert "Follow up Harbor Lights Inc&#x27;s NPS 3" in dashboard


def test_an_answer_without_a_score_or_off_the_scale_is_refused(client: Client, hana: Invitation) -> None:
    for data, message in (
        ({"comment": "no score"}, "Choose a score."),
        ({"score": "12"}, "Choose a score from 0 to 10."),
        ({"score": "x"}, "Choose a score."),
    ):
        response = client.post(answer_url(hana), data)
        assert response.status_code == 400
        assert message in response.content.decode()
    assert nothing_recorded()


def test_a_post_without_the_csrf_token_is_refused(hana: Invitation) -> None:
    browser = Client(enforce_csrf_checks=True)
    response = browser.post(answer_url(hana), {"score": "3"})
    assert response.status_code == 403
    assert nothing_recorded()
    page = browser.get(answer_url(hana)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token is not None
    response = browser.post(answer_url(hana), {"score": "3", "csrfmiddlewaretoken": token.group(1)})
    assert response.status_code == 302
    assert SurveyResponse.objects.get().score == 3


@pytest.mark.parametrize("token", ["no-such-token", "x" * 43, "y" * 500])
def test_an_unknown_link_is_a_human_404(client: Client, token: str) -> None:
    for url in (
        reverse("survey_answer", args=[token]),
        reverse("survey_thanks", args=[token]),
        reverse("survey_unsubscribe", args=[token]),
    ):
        response = client.get(url)
        assert response.status_code == 404
        assert "We do not know this link" in response.content.decode()
    assert client.post(reverse("survey_answer", args=[token]), {"score": "3"}).status_code == 404


def test_a_closed_survey_is_a_human_410(client: Client, hana: Invitation) -> None:
    client.post(answer_url(hana), {"score": "8"})
    survey_close(survey=hana.survey)
    response = client.get(answer_url(hana, "?score=2"))
    assert response.status_code == 410
    html = response.content.decode()
    assert "This survey is closed" in html and "<strong>8</strong>, was recorded" in html
    assert client.post(answer_url(hana), {"score": "2"}).status_code == 410
    assert client.get(reverse("survey_thanks", args=[hana.token])).status_code == 410
    assert SurveyResponse.objects.get().score == 8


def test_a_survey_past_its_close_date_is_a_410(client: Client, hana: Invitation) -> None:
    Survey.objects.filter(pk=hana.survey_id).update(closes_on="2020-01-31")
    response = client.get(answer_url(hana))
    assert response.status_code == 410
    assert "took them until 31 Jan 2020" in response.content.decode()
    assert client.post(answer_url(hana), {"score": "2"}).status_code == 410
    assert nothing_recorded()


def test_an_address_that_unsubscribed_is_a_410(client: Client, hana: Invitation) -> None:
    SurveyOptOut.objects.create(email="hana@harbor.example")
    response = client.get(answer_url(hana))
    assert response.status_code == 410
    assert "You unsubscribed from these surveys" in response.content.decode()
    assert client.post(answer_url(hana), {"score": "2"}).status_code == 410
    assert nothing_recorded()


def test_the_thanks_page_before_an_answer_sends_to_the_form(client: Client, hana: Invitation) -> None:
    response = client.get(reverse("survey_thanks", args=[hana.token]))
    assert (response.status_code, response["Location"]) == (302, answer_url(hana))


def test_unsubscribe_asks_then_is_honoured_for_every_later_survey(
    client: Client, own_account: Account, send: Send, hana: Invitation
) -> None:
    """The GET (a mail scanner's too) unsubscribes nobody; the POST does, and the page says so. A later survey of
    Harbor Lights asks its other contacts but not Hana, and her link takes no more answers."""
    url = reverse("survey_unsubscribe", args=[hana.token])
    page = client.get(url)
    assert page.status_code == 200
    assert "Stop getting these surveys?" in page.content.decode()
    assert not SurveyOptOut.objects.exists()
    done = client.post(url)
    assert (done.status_code, done["Location"]) == (302, url)
    assert SurveyOptOut.objects.get().email == "hana@harbor.example"
    assert "You are unsubscribed" in client.get(url).content.decode()
    assert client.get(answer_url(hana)).status_code == 410

    ContactFactory(account=own_account, email="omar@harbor.example")
    mail.outbox.clear()
    later = survey_create(name="CSAT", kind="csat", audience="accounts", account_ids=[own_account.pk])
    Invitation.objects.update(
        created_at="2020-01-01T00:00:00Z"
    )  # Hana's last invitation is past the cooldown
    send(later)
    assert [message.to for message in mail.outbox] == [["omar@harbor.example"]]
