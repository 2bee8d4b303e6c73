"""survey_send (surveys/services/invitations.py): who a round asks, its tokens, the round due, the reminder, and
nothing for a closed survey. The emails go to Django's locmem outbox; tasks run as the commit runs them.
The book (tests/surveys/conftest.py): Atlas pays 100/month (ana, ben), Beacon 50/month (cleo, enterprise),
Cobalt's span ended (dan) and Delta pays 0 (eve)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pytest_django.fixtures import Settings

from surveys.models import Invitation, Survey, SurveyOptOut
from surveys.services import survey_create, survey_send
from tests.factories import ContactFactory
from tests.surveys.conftest import Book, Send

pytestmark = pytest.mark.django_db


def recipients() -> set[str]:
    return {address for message in mail.outbox for address in message.to}


def nps(**fields: object) -> Survey:
    return survey_create(name="Q4 NPS", kind="nps", **fields)  # type: ignore[arg-type]


def test_a_draft_sends_its_first_round_to_every_contact_of_the_paying_accounts(
    book: Book, send: Send
) -> None:
    """Paying today = MRR > 0: Atlas (100) and Beacon (50). Cobalt's span has ended and Delta's plan is $0,
    so dan and eve are not asked: 3 emails."""
    survey = nps()
    assert survey.status == "draft" and survey.round == 0

    assert send(survey) == 3

    assert recipients() == book.emails("ana", "ben", "cleo")
    assert len(mail.outbox) == 3
    survey.refresh_from_db()
    assert (survey.status, survey.round) == ("open", 1) and survey.started_at is not None
    assert set(Invitation.objects.values_list("state", "round")) == {("sent", 1)}


def test_a_segment_asks_only_its_paying_accounts(book: Book, send: Send) -> None:
    """smb: Atlas pays (ana, ben); Cobalt and Delta are smb but pay nothing."""
    assert send(nps(audience="segment", segment="smb")) == 2
    assert recipients() == book.emails("ana", "ben")


def test_picked_accounts_are_asked_whether_they_pay_or_not(book: Book, send: Send) -> None:
    survey = nps(audience="accounts", account_ids=[book.accounts["Cobalt"].pk, book.accounts["Beacon"].pk])
    assert send(survey) == 2
    assert recipients() == book.emails("cleo", "dan")


def test_opted_out_emails_are_skipped_whatever_their_case(book: Book, send: Send) -> None:
    SurveyOptOut.objects.create(email="ben@atlas.example")
    book.contacts["cleo"].email = "Cleo@Beacon.Example"
    book.contacts["cleo"].save()
    SurveyOptOut.objects.create(email="cleo@beacon.example")
    assert send(nps()) == 1
    assert recipients() == book.emails("ana")


def test_one_email_per_address_and_none_to_a_contact_without_one(book: Book, send: Send) -> None:
    """A second contact record of ana's address (another account) and a contact with no email: still 3."""
    ContactFactory(account=book.accounts["Beacon"], email="ANA@atlas.example")
    ContactFactory(account=book.accounts["Beacon"], email="")
    ContactFactory(account=book.accounts["Beacon"], email="  ")
    assert send(nps()) == 3
    assert sorted(address.lower() for address in recipients()) == sorted(book.emails("ana", "ben", "cleo"))


def test_a_contact_invited_by_any_survey_in_the_cooldown_is_not_asked_again(book: Book, send: Send) -> None:
    """KEEL_SURVEY_COOLDOWN_DAYS = 90. Day 0: a CSAT survey of Beacon asks cleo. Day 89: the NPS survey of the
    paying accounts asks ana and ben, not cleo (89 days). Day 91: a CES survey asks cleo (91 days) but not ana
    and ben (2 days)."""
    start = timezone.now()
    beacon = survey_create(
        name="CSAT", kind="csat", audience="accounts", account_ids=[book.accounts["Beacon"].pk]
    )
    assert send(beacon, now=start) == 1
    mail.outbox.clear()

    assert send(nps(), now=start + timedelta(days=89)) == 2
    assert recipients() == book.emails("ana", "ben")

    mail.outbox.clear()
    assert send(survey_create(name="CES", kind="ces"), now=start + timedelta(days=91)) == 1
    assert recipients() == book.emails("cleo")


def test_each_invitation_has_its_own_token_of_256_bits(book: Book, send: Send) -> None:
    """secrets.token_urlsafe(32): 32 random bytes in URL-safe base64 without padding, 43 characters."""
    send(nps())
    tokens = list(Invitation.objects.values_list("token", flat=True))
    assert len(tokens) == len(set(tokens)) == 3
    for token in tokens:
        assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)
    for message in mail.outbox:
        (invitation,) = Invitation.objects.filter(email=message.to[0])
        assert f"/s/{invitation.token}/?score=7" in message.body


def test_the_round_is_created_in_one_statement_whatever_its_size(book: Book) -> None:
    """50 more contacts at Atlas: the same number of queries as with 3."""
    for n in range(50):
        ContactFactory(account=book.accounts["Atlas"], email=f"extra{n}@atlas.example")
    survey = nps()
    with CaptureQueriesContext(connection) as queries:
        assert survey_send(survey=survey) == 53
    inserts = [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("INSERT")]
    assert len([sql for sql in inserts if "surveys_invitation" in sql]) == 1
    assert len(inserts) == 2  # and the round's entry in the audit log
    assert len(queries.captured_queries) < 15
    assert Invitation.objects.filter(state="pending").count() == 53


def test_a_closed_survey_sends_nothing(book: Book, send: Send) -> None:
    survey = nps()
    survey.status = Survey.Status.CLOSED
    survey.save()
    assert send(survey) == 0
    assert not Invitation.objects.exists() and mail.outbox == []


def test_a_survey_past_its_close_date_is_closed_and_sends_nothing_more(book: Book, send: Send) -> None:
    """closes_on is the last day that takes answers: the day after, the reminder due is not sent."""
    today = timezone.localdate()
    survey = nps(closes_on=today, reminder_days=3)
    start = timezone.now()
    send(survey, now=start)
    mail.outbox.clear()
    assert send(survey, now=start + timedelta(days=4)) == 0
    survey.refresh_from_db()
    assert survey.status == "closed" and mail.outbox == []


def test_a_reminder_goes_once_and_only_to_those_who_have_not_answered(book: Book, send: Send) -> None:
    """Reminder after 3 days. Day 2: nothing due. Day 3: ana answered, so ben and cleo are reminded. Day 4 and
    day 6: nothing more."""
    start = timezone.now()
    survey = nps(reminder_days=3)
    send(survey, now=start)
    answered = Invitation.objects.get(email="ana@atlas.example")
    answered.response = book.accounts["Atlas"].responses.create(
        external_id="keel-1", kind="nps", score=9, responded_at=start, contact=book.contacts["ana"]
    )
    answered.save()
    mail.outbox.clear()

    assert send(survey, now=start + timedelta(days=2)) == 0
    assert send(survey, now=start + timedelta(days=3, minutes=1)) == 2
    assert recipients() == book.emails("ben", "cleo")
    assert all(message.subject.startswith("Reminder: ") for message in mail.outbox)
    assert Invitation.objects.filter(reminded_at__isnull=False).count() == 2

    mail.outbox.clear()
    assert send(survey, now=start + timedelta(days=4)) == 0
    assert send(survey, now=start + timedelta(days=6)) == 0
    assert mail.outbox == []


def test_no_reminder_to_someone_who_unsubscribed_after_the_first_email(book: Book, send: Send) -> None:
    start = timezone.now()
    survey = nps(reminder_days=3)
    send(survey, now=start)
    SurveyOptOut.objects.create(email="cleo@beacon.example")
    mail.outbox.clear()
    assert send(survey, now=start + timedelta(days=3, minutes=1)) == 2
    assert recipients() == book.emails("ana", "ben")


def test_a_recurring_survey_starts_a_round_every_n_days(book: Book, send: Send, settings: Settings) -> None:
    """Every 30 days, cooldown 20 days. Round 1 on day 0 (3 emails); day 29: nothing; day 30: round 2 (3 emails,
    their invitations of round 1 are 30 days old); day 95 after a sweep-less gap: round 4 only (rounds are not
    made up)."""
    settings.KEEL_SURVEY_COOLDOWN_DAYS = 20
    start = timezone.now()
    survey = nps(every_days=30)
    assert send(survey, now=start) == 3
    assert send(survey, now=start + timedelta(days=29)) == 0
    assert send(survey, now=start + timedelta(days=30)) == 3
    assert send(survey, now=start + timedelta(days=95)) == 3
    survey.refresh_from_db()
    assert survey.round == 4
    assert sorted(set(Invitation.objects.values_list("round", flat=True))) == [1, 2, 4]
    assert len(mail.outbox) == 9


def test_a_round_whose_contacts_are_all_in_cooldown_is_still_a_round(book: Book, send: Send) -> None:
    """Every 30 days, cooldown 90: round 2 asks nobody, and is not tried again on the next sweep."""
    start = timezone.now()
    survey = nps(every_days=30)
    send(survey, now=start)
    assert send(survey, now=start + timedelta(days=30)) == 0
    survey.refresh_from_db()
    assert (survey.round, survey.status) == (2, "open")
    assert not Invitation.objects.filter(round=2).exists()


def test_the_status_is_sending_while_invitations_wait(book: Book) -> None:
    """The tasks have not run yet (the commit has not come): the 3 invitations are pending, the survey is
    sending; once they run, it is open."""
    survey = nps()
    survey_send(survey=survey)
    assert survey.status == "sending"
    assert Invitation.objects.filter(state="pending").count() == 3


def test_an_empty_audience_opens_the_survey_at_once(book: Book, send: Send) -> None:
    survey = nps(audience="accounts", account_ids=[book.accounts["Cobalt"].pk])
    book.contacts["dan"].delete()
    assert send(survey) == 0
    survey.refresh_from_db()
    assert (survey.status, survey.round) == ("open", 1)


def test_an_invitation_to_an_email_that_opted_out_before_it_went_is_dropped(book: Book, send: Send) -> None:
    survey = nps()
    survey_send(survey=survey)  # pending, its tasks never ran
    SurveyOptOut.objects.create(email="ben@atlas.example")
    assert send(survey) == 2
    assert not Invitation.objects.filter(email="ben@atlas.example").exists()
    survey.refresh_from_db()
    assert survey.status == "open"
