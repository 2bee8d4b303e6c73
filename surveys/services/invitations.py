"""Sending a survey (DATA.md §5): its rounds, the invitations' emails, the one reminder, retries and opt-outs.

`survey_send` starts the round that is due and queues what is due to go out: pending invitations, failed ones
whose next attempt has come, ones stuck in `sending`, and the reminders. Celery tasks (surveys.tasks) send them
in batches through `invitations_send`, which claims each invitation with one conditional UPDATE, so a task
queued twice, two workers or a retry never send one email twice. Beat runs `invitations_due_send` every few
minutes: later rounds, reminders and retries need nobody to press a button.

Survey status: draft until its first round; sending while some invitation of it is pending, sending or failed;
open once none is; closed by `survey_close` or once its `closes_on` day is past, and nothing is sent for a
closed survey. Invitations to an email that opted out are dropped before they are sent.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Lower
from django.utils import timezone
from psycopg import sql

from accounts.models import User
from accounts.services.audit import audit_record
from accounts.sql import compose
from surveys.models import Invitation, Survey, SurveyOptOut
from surveys.services.audience import invitations_create, opted_out
from surveys.services.emails import invitation_email
from surveys.tasks import invitations_send_task

logger = logging.getLogger(__name__)

BATCH = 200  # invitations per task, sent over one connection
# A worker killed mid-batch leaves its claimed invitations in `sending`; after this long they are taken back and
# sent again. An email that the dead worker had handed to the server but not yet recorded then goes out twice:
# in that rare case sending is at least once, not exactly once.
STUCK_AFTER = timedelta(minutes=15)
RETRY_FIRST = timedelta(minutes=5)  # after the first failure; doubled after each further one
RETRY_MOST = timedelta(hours=6)
UNSENT = (Invitation.State.PENDING, Invitation.State.SENDING, Invitation.State.FAILED)


def retry_delay(attempts: int) -> timedelta:
    """How long after its `attempts`-th failure an invitation is tried again: 5 min, then doubling (10, 20, 40,
    80, 160, 320 min), at most 6 hours; it is never given up."""
    return min(RETRY_FIRST * 2 ** min(attempts - 1, 16), RETRY_MOST)


# What is due is said once, in SQL, on the invitation row itself: the claim must say it there, because when two
# workers UPDATE the same rows PostgreSQL rechecks the WHERE on the row the first one wrote, so the second gets
# nothing. The ORM cannot write UPDATE … RETURNING, which tells a worker which invitations it won.
_SURVEY_RUNNING = "s.status <> 'closed' AND (s.closes_on IS NULL OR s.closes_on >= %(today)s)"
_NOT_OPTED_OUT = "NOT EXISTS (SELECT FROM {opt_out} o WHERE o.email = lower(i.email))"
_TO_SEND = f"""{_SURVEY_RUNNING} AND {_NOT_OPTED_OUT} AND (
    i.state = 'pending'
    OR (i.state = 'failed' AND i.next_attempt_at <= %(now)s)
    OR (i.state = 'sending' AND i.claimed_at < %(stuck)s))"""
# A reminder goes to an invitation of the survey's latest round that was sent `reminder_days` ago or more and
# has no answer, once.
_TO_REMIND = f"""{_SURVEY_RUNNING} AND {_NOT_OPTED_OUT}
    AND s.reminder_days IS NOT NULL AND i.round = s.round
    AND i.state = 'sent' AND i.response_id IS NULL AND i.reminded_at IS NULL
    AND i.sent_at <= %(now)s - make_interval(days => s.reminder_days)
    AND (i.reminder_claimed_at IS NULL OR i.reminder_claimed_at < %(stuck)s)
    AND (i.next_attempt_at IS NULL OR i.next_attempt_at <= %(now)s)"""
_DUE = """SELECT i.id FROM {invitation} i JOIN {survey} s ON s.id = i.survey_id
    WHERE i.survey_id = %(survey)s AND {due} ORDER BY i.id"""
_CLAIM = """UPDATE {invitation} i SET {claim} FROM {survey} s
    WHERE s.id = i.survey_id AND i.id = ANY(%(ids)s) AND {due} RETURNING i.id"""
_CLAIM_SEND = "state = 'sending', claimed_at = %(now)s"
_CLAIM_REMIND = "reminder_claimed_at = %(now)s"


def _statement(template: str, *, reminder: bool) -> sql.Composed:
    due = compose(_TO_REMIND if reminder else _TO_SEND, opt_out=SurveyOptOut._meta.db_table)
    return compose(
        template,
        invitation=Invitation._meta.db_table,
        survey=Survey._meta.db_table,
        due=due,
        claim=sql.SQL(_CLAIM_REMIND if reminder else _CLAIM_SEND),
    )


def _times(now: datetime) -> dict[str, Any]:
    return {"now": now, "today": timezone.localdate(now), "stuck": now - STUCK_AFTER}


def _ids(statement: sql.Composed, params: dict[str, Any]) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return [row[0] for row in cursor.fetchall()]


def survey_send(*, survey: Survey, now: datetime | None = None, by: User | None = None) -> int:
    """Send what `survey` has due at `now` (default: now) and return how many emails were queued.

    - Its round, if one is due: the first when it is a draft; for a recurring survey round n starts
      every_days × (n − 1) days after the first (one round at a time: rounds missed while nothing ran are not
      made up). The round's invitations are its audience at `now` (`survey_audience`).
    - Its pending invitations, the failed ones whose next attempt has come, the ones stuck in `sending` for
      STUCK_AFTER (their worker died), and the reminders due; invitations to emails that opted out are dropped.

    They are queued as `invitations_send_task`s of BATCH invitations once the transaction commits (run in this
    process without REDIS_URL). A survey whose `closes_on` is past is closed, and a closed one sends nothing.
    A task queued twice (a lost task queued again) sends nothing twice: each invitation is claimed.

    Starting a round is recorded in the audit log as `by`'s (None: Keel's, as beat starts a recurring round);
    reminders and retries are not changes anyone made.
    """
    # A clock given (tests, a replay) is the clock of the sends it queues too; otherwise each task reads its own.
    clock = now.isoformat() if now is not None else None
    now = now or timezone.now()
    with transaction.atomic():
        # Locked, so that two sends of one survey (beat and the command) start a round once.
        locked = Survey.objects.select_for_update().get(pk=survey.pk)
        if locked.status != Survey.Status.CLOSED and _past_closing(locked, now):
            locked.status = Survey.Status.CLOSED
            locked.save(update_fields=["status"])
        if locked.status == Survey.Status.CLOSED:
            survey.status = locked.status
            return 0
        _opted_out_drop(Invitation.objects.filter(survey=locked), now=now)
        due = _round_due(locked, now)
        if due > locked.round:
            invited = invitations_create(survey=locked, round=due, now=now)
            locked.round, locked.started_at = due, locked.started_at or now
            locked.status = Survey.Status.SENDING
            locked.save(update_fields=["round", "started_at", "status"])
            audit_record(
                actor=by,
                action="survey.send",
                target=locked,
                target_label=locked.name,
                detail={"round": due, "invitations": invited},
            )
        params = {"survey": locked.pk, **_times(now)}
        sends = _ids(_statement(_DUE, reminder=False), params)
        reminders = _ids(_statement(_DUE, reminder=True), params)
        _queue(sends, reminder=False, now=clock)
        _queue(reminders, reminder=True, now=clock)
        _status_refresh([locked.pk])
    survey.refresh_from_db(fields=["status", "round", "started_at"])
    return len(sends) + len(reminders)


def _past_closing(survey: Survey, now: datetime) -> bool:
    """Answers are taken until `closes_on`, included (KEEL_TIMEZONE)."""
    return survey.closes_on is not None and survey.closes_on < timezone.localdate(now)


def _round_due(survey: Survey, now: datetime) -> int:
    if survey.round == 0 or survey.started_at is None:
        return 1
    if not survey.every_days:
        return survey.round
    return 1 + (now - survey.started_at) // timedelta(days=survey.every_days)


def _queue(ids: Sequence[int], *, reminder: bool, now: str | None) -> None:
    for start in range(0, len(ids), BATCH):
        # robust: a broker that refuses (or, run eagerly, a failing batch) leaves its invitations due, and the
        # next send or sweep queues them again; the other batches still go.
        transaction.on_commit(
            _enqueue(list(ids[start : start + BATCH]), reminder=reminder, now=now), robust=True
        )


def _enqueue(batch: list[int], *, reminder: bool, now: str | None) -> Callable[[], None]:
    # A named function, not a partial: Django logs a robust callback's failure by its __qualname__.
    def invitations_enqueue() -> None:
        invitations_send_task.delay(batch, reminder, now)

    return invitations_enqueue


def _status_refresh(survey_ids: Iterable[int]) -> None:
    """Sending while some invitation is pending, sending or failed; open once none is (closed stays closed)."""
    ids = list(survey_ids)
    unsent = Exists(Invitation.objects.filter(survey=OuterRef("pk"), state__in=UNSENT))
    Survey.objects.filter(pk__in=ids, status=Survey.Status.OPEN).filter(unsent).update(
        status=Survey.Status.SENDING
    )
    Survey.objects.filter(pk__in=ids, status=Survey.Status.SENDING).exclude(unsent).update(
        status=Survey.Status.OPEN
    )


def _opted_out_drop(invitations: Any, *, now: datetime) -> None:
    """Delete the invitations of `invitations` that were never sent and go to an email that opted out since they
    were made: nobody may email it, and left waiting they would keep their survey `sending` for ever."""
    unsent = Q(state__in=[Invitation.State.PENDING, Invitation.State.FAILED]) | Q(
        state=Invitation.State.SENDING, claimed_at__lt=now - STUCK_AFTER
    )
    invitations.filter(unsent).filter(opted_out()).delete()


def invitations_send(*, ids: Sequence[int], reminder: bool = False, now: datetime | None = None) -> int:
    """Send the emails of invitations `ids` that are still due (the reminder when `reminder`), and return how
    many the mail server accepted.

    Claims them first with one conditional UPDATE (pending, or failed and due, or stuck in `sending`: →
    sending; for reminders, an unclaimed reminder), so what another worker claimed is left to it. Sends each
    claimed one over one connection of Django's email backend (EMAIL_URL) and records the outcome at once:
    - accepted: `sent` with sent_at (a reminder: reminded_at);
    - refused for good by the recipient's server (a 5xx to the recipient or to the message) or an address no
      server takes: `bounced`, with the server's words in last_error; never tried again (a bounced reminder
      too: the address is refused now);
    - anything else (a 4xx, a dropped or refused connection, our own server refusing the sender or the
      login): `failed` (a reminder stays `sent`, its claim released), attempts + 1, next_attempt_at after
      `retry_delay`, last_error; the next send or sweep retries it.
    """
    now = now or timezone.now()
    params = {"ids": list(ids), **_times(now)}
    claimed = _ids(_statement(_CLAIM, reminder=reminder), params)
    if not claimed:
        return 0
    invitations = list(
        Invitation.objects.filter(pk__in=claimed).select_related("survey", "contact").order_by("pk")
    )
    outbox = _Outbox()
    sent = 0
    try:
        for invitation in invitations:
            try:
                outbox.send(invitation_email(invitation, reminder=reminder))
            except Exception as error:
                _failure_record(invitation, error, reminder=reminder, now=now)
            else:
                _sent_record(invitation, reminder=reminder, now=now)
                sent += 1
    finally:
        outbox.close()
        _status_refresh({invitation.survey_id for invitation in invitations})
    return sent


class AddressInvalid(Exception):
    """The invitation's email is not an address: no server would ever take it."""


class _Outbox:
    """One connection of Django's email backend for a batch, opened again after a failure that may have broken
    it. Once it cannot be opened, every later message fails at once with the same error: a batch does not wait
    for a dead server's timeout two hundred times."""

    def __init__(self) -> None:
        self.backend = get_connection(fail_silently=False)
        self.is_open = False
        self.open_error: Exception | None = None

    def send(self, message: EmailMultiAlternatives) -> None:
        if self.open_error is not None:
            raise self.open_error
        if not self.is_open:
            try:
                self.backend.open()
            except Exception as error:
                self.open_error = error
                raise
            self.is_open = True
        message.connection = self.backend
        try:
            self.backend.send_messages([message])
        except ValueError as error:  # Django's sanitize_address: not an address any server takes
            raise AddressInvalid(str(error)) from error
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPResponseException) as error:
            # The server answered (smtplib has reset the session): the connection is still good, unless the
            # answer was 421, "closing the connection".
            if getattr(error, "smtp_code", None) == 421:
                self.close()
            raise
        except Exception:
            self.close()
            raise

    def close(self) -> None:
        if not self.is_open:
            return
        self.is_open = False
        try:
            self.backend.close()
        except Exception:  # a connection that broke cannot be closed politely; it is gone all the same
            logger.debug("closing the email connection failed", exc_info=True)


def _refused_for_good(error: Exception) -> bool:
    """A 5xx from the recipient's side: to RCPT (SMTPRecipientsRefused) or to the message (SMTPDataError), or an
    address no server takes. A 5xx to our sender, our login or our greeting is our own server's configuration
    and is retried once it is fixed; a 4xx is temporary by definition (greylisting, a full mailbox)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return bool(codes) and min(codes) >= 500
    if isinstance(error, smtplib.SMTPDataError):
        return error.smtp_code >= 500
    return isinstance(error, AddressInvalid)


def _error_text(error: Exception) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        text = "; ".join(f"{code} {_decoded(reply)}".strip() for code, reply in error.recipients.values())
    elif isinstance(error, smtplib.SMTPResponseException):
        text = f"{error.smtp_code} {_decoded(error.smtp_error)}".strip()
    else:
        text = f"{type(error).__name__}: {error}"
    return text[:1000]


def _decoded(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def _sent_record(invitation: Invitation, *, reminder: bool, now: datetime) -> None:
    done: dict[str, Any] = (
        {"reminded_at": now} if reminder else {"state": Invitation.State.SENT, "sent_at": now}
    )
    Invitation.objects.filter(pk=invitation.pk).update(next_attempt_at=None, last_error="", **done)


def _failure_record(invitation: Invitation, error: Exception, *, reminder: bool, now: datetime) -> None:
    text = _error_text(error)
    what = "reminder" if reminder else "invitation"
    rows = Invitation.objects.filter(pk=invitation.pk)
    if _refused_for_good(error):
        logger.warning("survey %s to %s bounced: %s", what, invitation.email, text)
        rows.update(state=Invitation.State.BOUNCED, next_attempt_at=None, last_error=text)
        return
    attempts = invitation.attempts + 1
    logger.warning(
        "survey %s to %s failed (attempt %s), retried later: %s", what, invitation.email, attempts, text
    )
    release: dict[str, Any] = (
        {"reminder_claimed_at": None} if reminder else {"state": Invitation.State.FAILED}
    )
    rows.update(attempts=attempts, next_attempt_at=now + retry_delay(attempts), last_error=text, **release)


def invitations_due_send(*, now: datetime | None = None) -> int:
    """The sweep beat runs every few minutes: close the surveys past their `closes_on`, then `survey_send` every
    survey that is sending or open (its next round, reminders, retries). Returns the emails queued. A survey
    whose send fails is logged and the others still go."""
    now = now or timezone.now()
    Survey.objects.filter(
        status__in=[Survey.Status.SENDING, Survey.Status.OPEN], closes_on__lt=timezone.localdate(now)
    ).update(status=Survey.Status.CLOSED)
    queued = 0
    for survey in Survey.objects.filter(status__in=[Survey.Status.SENDING, Survey.Status.OPEN]).order_by(
        "pk"
    ):
        try:
            queued += survey_send(survey=survey, now=now)
        except Exception:
            logger.exception("sending survey %s failed; the next sweep tries again", survey.pk)
    return queued


def contact_unsubscribe(*, invitation: Invitation) -> SurveyOptOut:
    """Record that the recipient of `invitation` asks not to be surveyed again: their email (any case) is left out
    of every later round and survey, and its invitations not sent yet are dropped. Asking twice changes
    nothing: the first opt-out is returned."""
    email = invitation.email.strip().lower()
    with transaction.atomic():
        opt_out, _ = SurveyOptOut.objects.get_or_create(email=email, defaults={"invitation": invitation})
        unsent = Invitation.objects.alias(address=Lower("email")).filter(
            address=email, state__in=[Invitation.State.PENDING, Invitation.State.FAILED]
        )
        surveys = set(unsent.values_list("survey_id", flat=True))
        unsent.delete()
        _status_refresh(surveys)
    return opt_out
