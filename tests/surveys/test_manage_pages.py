"""The Surveys pages (surveys/views/manage.py): the list for everyone (figures over the reader's accounts), and for
admins the draft's form (the rules are the services', their errors on the fields), the previews of the email and
the page, Send and Close."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from pytest_django import DjangoAssertNumQueries, DjangoCaptureOnCommitCallbacks

from accounts.models import Account, User
from surveys.models import DEFAULT_QUESTIONS, Survey
from surveys.services import survey_close, survey_create
from surveys.services.answers import response_record
from tests.surveys.answering import invitations_of, survey_sent
from tests.surveys.conftest import Send

pytestmark = pytest.mark.django_db

NEW = reverse("survey_new")
LIST = reverse("survey_list")


def form_data(**changes: str) -> dict[str, str]:
    data = {
        "name": "Q3 NPS",
        "kind": "nps",
        "question": DEFAULT_QUESTIONS["nps"],  # type: ignore[index]
        "audience": "paying",
        "segment": "",
        "accounts": "",
        "every_days": "",
        "reminder_days": "",
        "closes_on": "",
    }
    data.update(changes)
    return data


def errors_of(html: str) -> list[str]:
    return re.findall(r'<ul class="errorlist[^"]*"[^>]*><li>(.*?)</li>', html)


def test_the_list_shows_every_survey_with_its_figures(
    client: Client, admin_user: User, csm: User, own_account: Account, other_account: Account, send: Send
) -> None:
    """One survey sent to Harbor Lights (Alice's: hana) and Zephyr (Bob's: zed), hana answered: 2 sent, 1
    answer, 50.0%, round 1 today; a draft: not sent. Alice reads her own book's figures: 1 sent, 1, 100.0%."""
    sent = survey_sent(send, [own_account, other_account], name="Spring NPS")
    response_record(invitation=invitations_of(sent)["hana@harbor.example"], score=9, comment="")
    survey_create(name="Draft CSAT", kind="csat")
    client.force_login(admin_user)
    html = client.get(LIST).content.decode()
    assert "Spring NPS" in html and "Draft CSAT" in html and "New survey" in html
    row = re.search(rf'<tr data-survey="{sent.pk}">(.*?)</tr>', html, re.S)
    assert row is not None
    cells = [
        re.sub(r"<[^>]+>", "", cell).strip()
        for cell in re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)
    ]
    today = date_format(timezone.localdate())
    assert cells[1:] == ["NPS", "Accounts picked", "Open", "2", "1", "50.0%", f"Round 1 · {today}"]
    assert 'aria-current="page">Surveys</a>' in html
    client.force_login(csm)
    html = client.get(LIST).content.decode()
    row = re.search(rf'<tr data-survey="{sent.pk}">(.*?)</tr>', html, re.S)
    assert row is not None and "100.0%" in row.group(1)
    assert "New survey" not in html
    assert ">Surveys</a>" in html  # everyone has the link


def test_the_list_costs_the_same_whatever_the_surveys(
    client: Client, admin_user: User, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    client.force_login(admin_user)
    survey_create(name="One", kind="nps")
    with django_assert_max_num_queries(3):
        assert client.get(LIST).status_code == 200
    for index in range(20):
        survey_create(name=f"Survey {index}", kind="ces")
    with django_assert_max_num_queries(3):
        assert client.get(LIST).status_code == 200


def test_a_new_survey_starts_with_the_default_question(client: Client, admin_user: User) -> None:
    client.force_login(admin_user)
    html = client.get(NEW).content.decode()
    assert f"{DEFAULT_QUESTIONS['nps']}</textarea>" in html  # type: ignore[index]
    assert 'value="paying"' in html and "checked" in html


def test_creating_a_draft_goes_to_its_preview(client: Client, admin_user: User) -> None:
    client.force_login(admin_user)
    response = client.post(NEW, form_data(reminder_days="5", every_days="90", closes_on="2099-12-31"))
    survey = Survey.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("survey_preview", args=[survey.pk])
    assert (survey.name, survey.kind, survey.status, survey.created_by) == (
        "Q3 NPS",
        "nps",
        "draft",
        admin_user,
    )
    assert (survey.every_days, survey.reminder_days, str(survey.closes_on)) == (90, 5, "2099-12-31")
    assert not mail.outbox  # a draft sends nothing


def test_a_question_left_as_another_kinds_default_asks_the_kinds_own(
    client: Client, admin_user: User
) -> None:
    client.force_login(admin_user)
    client.post(NEW, form_data(kind="csat"))
    assert Survey.objects.get().question == DEFAULT_QUESTIONS["csat"]  # type: ignore[index]
    client.post(NEW, form_data(kind="ces", question="  Was it easy to set up?  "))
    assert Survey.objects.get(kind="ces").question == "Was it easy to set up?"


def test_accounts_are_picked_by_pasting_their_ids(
    client: Client, admin_user: User, own_account: Account, other_account: Account
) -> None:
    client.force_login(admin_user)
    client.post(NEW, form_data(audience="accounts", accounts="ACC-OWN-1,\n ACC-SECRET-9 ; ACC-OWN-1"))
    survey = Survey.objects.get()
    assert set(survey.accounts.all()) == {own_account, other_account}
    edit = client.get(reverse("survey_edit", args=[survey.pk])).content.decode()
    assert "ACC-OWN-1\nACC-SECRET-9</textarea>" in edit


@pytest.mark.parametrize(
    ("changes", "field_error"),
    [
        ({"name": "  "}, "Give the survey a name."),
        ({"audience": "segment"}, "Choose the segment whose paying accounts are asked."),
        ({"audience": "accounts"}, "Pick at least one account."),
        (
            {"audience": "accounts", "accounts": "ACC-NOPE-1 ACC-NOPE-2"},
            "No account has the id ACC-NOPE-1, ACC-NOPE-2.",
        ),
        (
            {"every_days": "30", "reminder_days": "30"},
            "The reminder must come before the next round: fewer than 30 days.",
        ),
        ({"every_days": "0"}, "A whole number of days from 1 to 3650, or blank."),
        ({"every_days": "soon"}, "Enter a whole number."),
        ({"closes_on": "2001-01-01"}, "The close date may not be in the past"),
        ({"kind": "xyz"}, "Select a valid choice. xyz is not one of the available choices."),
    ],
)
def test_the_services_rules_show_on_the_fields(
    client: Client, admin_user: User, changes: dict[str, str], field_error: str
) -> None:
    client.force_login(admin_user)
    response = client.post(NEW, form_data(**changes))
    assert response.status_code == 400
    errors = errors_of(response.content.decode())
    assert any(error.startswith(field_error) for error in errors), errors
    assert not Survey.objects.exists()


def test_editing_a_draft(client: Client, admin_user: User, own_account: Account) -> None:
    survey = survey_create(name="Draft", kind="nps")
    client.force_login(admin_user)
    url = reverse("survey_edit", args=[survey.pk])
    assert 'value="Draft"' in client.get(url).content.decode()
    response = client.post(url, form_data(name="Renamed", kind="csat", audience="segment", segment="smb"))
    assert response.status_code == 302
    survey.refresh_from_db()
    assert (survey.name, survey.kind, survey.audience, survey.segment) == (
        "Renamed",
        "csat",
        "segment",
        "smb",
    )
    assert survey.question == DEFAULT_QUESTIONS["csat"]  # type: ignore[index]
    response = client.post(url, form_data(audience="segment", segment="nowhere"))
    assert response.status_code == 400
    assert "No account is in the segment &#x27;nowhere&#x27;." in response.content.decode()


def test_only_a_draft_can_be_edited(
    client: Client, admin_user: User, own_account: Account, send: Send
) -> None:
    survey = survey_sent(send, [own_account])
    client.force_login(admin_user)
    url = reverse("survey_edit", args=[survey.pk])
    response = client.get(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("survey_results", args=[survey.pk])
    assert "Only a draft can be changed" in response.content.decode()
    assert client.post(url, form_data(name="Changed")).status_code == 302
    survey.refresh_from_db()
    assert survey.name != "Changed"


def test_the_preview_shows_the_email_and_the_page(
    client: Client, admin_user: User, own_account: Account
) -> None:
    """A draft for Harbor Lights (hana): would ask 1 contact; the subject and the text part; the HTML and the page
    in frames of the same origin; the page as a contact sees it, which records nothing."""
    survey = survey_create(
        name="Draft",
        kind="csat",
        question="How was onboarding?",
        audience="accounts",
        account_ids=[own_account.pk],
    )
    client.force_login(admin_user)
    html = client.get(reverse("survey_preview", args=[survey.pk])).content.decode()
    assert re.search(r'id="audience-count">Sent now, it would ask <strong>1</strong> contact:', html)
    assert 'id="email-subject">How was onboarding?</dd>' in html
    assert "http://127.0.0.1:8000/s/sample/?score=5" in html  # the text part
    assert reverse("survey_preview_email", args=[survey.pk]) in html
    email = client.get(reverse("survey_preview_email", args=[survey.pk]))
    assert email["X-Frame-Options"] == "SAMEORIGIN"
    assert "How was onboarding?" in email.content.decode() and "Unsubscribe" in email.content.decode()
    page = client.get(reverse("survey_preview_page", args=[survey.pk]))
    assert page["X-Frame-Options"] == "SAMEORIGIN"
    content = page.content.decode()
    assert "How was onboarding?" in content and "Preview: the page a contact sees" in content
    assert len(re.findall(r'type="radio" name="score"', content)) == 5
    assert "Log out" not in content  # no Keel navigation: a contact's view
    assert "disabled" in content


def test_send_queues_the_invitations_and_says_how_many(
    client: Client,
    admin_user: User,
    own_account: Account,
    other_account: Account,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    """The emails go out as the commit runs the tasks (eagerly here, as without Redis)."""
    survey = survey_create(
        name="Go", kind="nps", audience="accounts", account_ids=[own_account.pk, other_account.pk]
    )
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("survey_send", args=[survey.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("survey_results", args=[survey.pk])
    assert "Queued 2 emails of “Go”." in response.content.decode()
    assert sorted(message.to[0] for message in mail.outbox) == ["hana@harbor.example", "zed@zephyr.example"]
    survey.refresh_from_db()
    assert survey.status == "open" and survey.round == 1
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(reverse("survey_send", args=[survey.pk]), follow=True)
    assert "Nothing was due" in again.content.decode()
    assert len(mail.outbox) == 2


def test_close_and_a_closed_survey_sends_nothing(
    client: Client, admin_user: User, own_account: Account
) -> None:
    survey = survey_create(name="Go", kind="nps", audience="accounts", account_ids=[own_account.pk])
    client.force_login(admin_user)
    response = client.post(reverse("survey_close", args=[survey.pk]), follow=True)
    assert "Closed “Go”" in response.content.decode()
    survey.refresh_from_db()
    assert survey.status == "closed"
    response = client.post(reverse("survey_send", args=[survey.pk]), follow=True)
    assert "“Go” is closed: nothing was sent." in response.content.decode()
    assert not mail.outbox
    html = client.get(reverse("survey_results", args=[survey.pk])).content.decode()
    assert "Send what is due" not in html and ">Send<" not in html


def test_a_survey_past_its_close_date_closes_when_sent(
    client: Client, admin_user: User, own_account: Account
) -> None:
    survey = survey_create(name="Late", kind="nps", audience="accounts", account_ids=[own_account.pk])
    Survey.objects.filter(pk=survey.pk).update(closes_on=timezone.localdate() - timedelta(days=1))
    client.force_login(admin_user)
    response = client.post(reverse("survey_send", args=[survey.pk]), follow=True)
    assert "was past its close date and is now closed" in response.content.decode()
    assert not mail.outbox


def test_a_closed_survey_can_be_closed_again(admin_user: User, client: Client) -> None:
    survey = survey_close(survey=survey_create(name="Done", kind="ces"))
    client.force_login(admin_user)
    assert client.post(reverse("survey_close", args=[survey.pk])).status_code == 302
