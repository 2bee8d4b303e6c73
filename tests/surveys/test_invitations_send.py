"""invitations_send (surveys/services/invitations.py) against a real SMTP server on loopback (aiosmtpd): one
connection per batch, each invitation claimed once (two workers at once, a task run twice), refusals recorded
and retried with backoff or bounced, a worker killed mid-batch taken back."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from pytest_django.fixtures import Settings

from surveys.models import Invitation, Survey
from surveys.services import invitations_create, invitations_send, retry_delay, survey_create, survey_send
from tests.smtp import SmtpServer, free_port, use_smtp
from tests.surveys.conftest import Book, Send

pytestmark = pytest.mark.django_db


def nps(**fields: object) -> Survey:
    return survey_create(name="Q4 NPS", kind="nps", **fields)  # type: ignore[arg-type]


def state(email: str) -> Invitation:
    return Invitation.objects.get(email=email)


def test_retry_delay_doubles_from_five_minutes_up_to_six_hours() -> None:
    """5 × 2^(n−1) minutes: 5, 10, 20, …, 320 after the 7th failure; the 8th would be 640, capped at 360."""
    assert [retry_delay(n) for n in (1, 2, 3, 7)] == [timedelta(minutes=m) for m in (5, 10, 20, 320)]
    assert retry_delay(8) == retry_delay(1000) == timedelta(hours=6)


def test_a_batch_goes_over_one_connection_as_html_and_text(book: Book, send: Send, smtp: SmtpServer) -> None:
    before = smtp.connections
    assert send(nps()) == 3
    assert sorted(smtp.recipients) == sorted(book.emails("ana", "ben", "cleo"))
    assert smtp.connections - before == 1
    (message,) = smtp.to("ana@atlas.example")
    assert message.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in message.iter_parts()] == ["text/plain", "text/html"]
    invitation = state("ana@atlas.example")
    assert message["List-Unsubscribe"].strip() == f"<http://127.0.0.1:8000/s/{invitation.token}/unsubscribe/>"
    assert invitation.state == "sent" and invitation.sent_at is not None and invitation.attempts == 0


def test_a_temporary_refusal_is_recorded_and_retried_with_backoff(
    book: Book, send: Send, smtp: SmtpServer
) -> None:
    """ben's server says 451 (greylisting). Day 0: ben failed, attempt 1, next try 5 minutes later, the survey
    still sending. +4 min: nothing due. +5 min: 451 again, attempt 2, next try 10 minutes after that.
    +15 min: accepted; sent, the survey open."""
    smtp.refuse["ben@atlas.example"] = "451 4.7.1 Greylisted, try again later"
    start = timezone.now()
    survey = nps()
    assert send(survey, now=start) == 3
    ben = state("ben@atlas.example")
    assert (ben.state, ben.attempts, ben.next_attempt_at) == ("failed", 1, start + timedelta(minutes=5))
    assert ben.last_error == "451 4.7.1 Greylisted, try again later"
    assert sorted(smtp.recipients) == sorted(book.emails("ana", "cleo"))
    survey.refresh_from_db()
    assert survey.status == "sending"

    assert send(survey, now=start + timedelta(minutes=4)) == 0
    assert send(survey, now=start + timedelta(minutes=5)) == 1
    ben.refresh_from_db()
    assert (ben.state, ben.attempts, ben.next_attempt_at) == ("failed", 2, start + timedelta(minutes=15))

    del smtp.refuse["ben@atlas.example"]
    assert send(survey, now=start + timedelta(minutes=15)) == 1
    ben.refresh_from_db()
    assert (ben.state, ben.attempts, ben.next_attempt_at, ben.last_error) == ("sent", 2, None, "")
    assert ben.sent_at == start + timedelta(minutes=15)
    assert Counter(smtp.recipients) == Counter(book.emails("ana", "ben", "cleo"))
    survey.refresh_from_db()
    assert survey.status == "open"


def test_a_permanent_refusal_bounces_with_the_servers_words(book: Book, send: Send, smtp: SmtpServer) -> None:
    smtp.refuse["cleo@beacon.example"] = "550 5.1.1 <cleo@beacon.example>: no such user"
    start = timezone.now()
    survey = nps()
    send(survey, now=start)
    cleo = state("cleo@beacon.example")
    assert (cleo.state, cleo.next_attempt_at) == ("bounced", None)
    assert cleo.last_error == "550 5.1.1 <cleo@beacon.example>: no such user"
    survey.refresh_from_db()
    assert survey.status == "open"  # bounced is final: nothing left to send
    assert send(survey, now=start + timedelta(hours=7)) == 0


def test_our_own_server_refusing_the_sender_is_retried_not_bounced(
    book: Book, send: Send, smtp: SmtpServer
) -> None:
    """A 5xx to MAIL FROM says our configuration is wrong, not the recipient's address: nothing is lost."""
    smtp.refuse_sender = "553 5.7.1 Sender address rejected: not owned by user"
    send(nps())
    assert set(Invitation.objects.values_list("state", "attempts")) == {("failed", 1)}
    assert state("ana@atlas.example").last_error.startswith("553 5.7.1 Sender address rejected")


def test_a_server_that_refuses_the_connection_fails_the_batch_and_a_later_send_delivers_it(
    book: Book, send: Send, settings: Settings
) -> None:
    """Nothing listens on the port: the three are failed at once (the batch does not try the dead server three
    times) and sent when the next attempt finds a server."""
    use_smtp(settings, free_port())
    start = timezone.now()
    survey = nps()
    send(survey, now=start)
    failed = list(Invitation.objects.values_list("state", "attempts", "next_attempt_at"))
    assert failed == [("failed", 1, start + timedelta(minutes=5))] * 3
    assert "ConnectionRefusedError" in state("ana@atlas.example").last_error

    from aiosmtpd.controller import Controller

    server = SmtpServer(host="127.0.0.1", port=free_port())
    controller = Controller(server, hostname=server.host, port=server.port)
    controller.start()
    try:
        use_smtp(settings, server.port)
        assert send(survey, now=start + timedelta(minutes=5)) == 3
    finally:
        controller.stop()
    assert sorted(server.recipients) == sorted(book.emails("ana", "ben", "cleo"))
    assert set(Invitation.objects.values_list("state", flat=True)) == {"sent"}


def test_a_dropped_connection_fails_one_and_the_batch_goes_on_over_a_new_one(
    book: Book, send: Send, smtp: SmtpServer
) -> None:
    """The server hangs up on ana's message (the first of the batch): ana failed, ben and cleo sent over a
    second connection."""
    smtp.drop.add("ana@atlas.example")
    before = smtp.connections
    send(nps())
    ana = state("ana@atlas.example")
    assert (ana.state, ana.attempts) == ("failed", 1)
    assert "SMTPServerDisconnected" in ana.last_error
    assert sorted(smtp.recipients) == sorted(book.emails("ben", "cleo"))
    assert smtp.connections - before == 2


def test_a_task_run_twice_sends_each_email_once(book: Book, smtp: SmtpServer) -> None:
    survey = nps()
    survey_send(survey=survey)  # queued, not run
    ids = list(Invitation.objects.values_list("pk", flat=True))
    assert invitations_send(ids=ids) == 3
    assert invitations_send(ids=ids) == 0
    assert Counter(smtp.recipients) == Counter(book.emails("ana", "ben", "cleo"))


def test_a_worker_killed_mid_batch_leaves_invitations_that_are_taken_back_after_15_minutes(
    book: Book, send: Send, smtp: SmtpServer
) -> None:
    """The worker claimed the three and died having sent none. 14 minutes later they are still its own; after
    15 they are claimed again and sent (had it sent one before dying, that one would go twice)."""
    survey = nps()
    survey_send(survey=survey)
    claimed_at = timezone.now()
    Invitation.objects.update(state="sending", claimed_at=claimed_at)

    assert send(survey, now=claimed_at + timedelta(minutes=14)) == 0
    assert smtp.recipients == []
    assert send(survey, now=claimed_at + timedelta(minutes=15, seconds=1)) == 3
    assert Counter(smtp.recipients) == Counter(book.emails("ana", "ben", "cleo"))
    survey.refresh_from_db()
    assert survey.status == "open"


def test_a_closed_survey_sends_not_even_what_was_queued(book: Book, smtp: SmtpServer) -> None:
    survey = nps()
    survey_send(survey=survey)
    Survey.objects.filter(pk=survey.pk).update(status="closed")
    assert invitations_send(ids=list(Invitation.objects.values_list("pk", flat=True))) == 0
    assert smtp.recipients == []


@pytest.mark.django_db(transaction=True)
def test_two_workers_sending_the_same_batch_at_once_send_each_email_once(
    book: Book, smtp: SmtpServer
) -> None:
    """Four threads, each on its own connection, start the same batch of 40 invitations at the same moment
    (committed data): every address gets one email, and the sent counts add up to 40."""
    from tests.factories import ContactFactory

    for n in range(37):
        ContactFactory(account=book.accounts["Atlas"], email=f"extra{n}@atlas.example")
    survey = nps()
    # The round's invitations, committed and not queued (survey_send would send them on its commit).
    assert invitations_create(survey=survey, round=1, now=timezone.now()) == 40
    ids = list(Invitation.objects.values_list("pk", flat=True))
    start = threading.Barrier(4)
    counts: list[int] = []

    def worker() -> None:
        try:
            start.wait()
            counts.append(invitations_send(ids=ids))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(counts) == 40
    assert len(smtp.recipients) == 40 and len(set(smtp.recipients)) == 40
    assert set(Invitation.objects.values_list("state", flat=True)) == {"sent"}


def test_an_email_that_is_no_address_bounces_and_the_batch_goes_on(
    book: Book, send: Send, smtp: SmtpServer
) -> None:
    book.contacts["ben"].email = "ben@@atlas.example"
    book.contacts["ben"].save()
    send(nps())
    ben = state("ben@@atlas.example")
    assert (ben.state, ben.last_error) == ("bounced", 'AddressInvalid: Invalid address "ben@@atlas.example"')
    assert sorted(smtp.recipients) == sorted(book.emails("ana", "cleo"))
