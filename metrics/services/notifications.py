"""The daily digests and their sending (README "Notifications"): by email to each person who asks for it, and to
Slack incoming webhooks, a person's and the team's.

`digests_prepare` (beat, daily at KEEL_DIGEST_HOUR) writes one `Notification` per channel and kind that has
something to say, with the message as it will go out, and queues `notification_send_task` for each once that
commits. `notification_send` claims its row with one conditional UPDATE (pending → sending), sends it and records
the outcome: sent; failed for good when the other side refuses it (a Slack 4xx, an SMTP 5xx to the recipient) or
after MAX_ATTEMPTS; otherwise pending again, its next attempt after `retry_delay`, which the task waits for (a
Celery countdown). A rerun, two workers or a retry therefore never send a digest twice. Every ten minutes beat's
sweep (`notifications_due_send`) queues what a lost task left behind: pending rows past their next attempt and
rows stuck in `sending` for STUCK_AFTER (their worker died; what it had handed over but not yet recorded goes out
again: at least once in that rare case, as with survey invitations).
"""

from __future__ import annotations

import json
import logging
import smtplib
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Case, F, Q, TextField, Value, When
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.models import User
from accounts.selectors import team_settings
from metrics.models import Notification
from metrics.selectors.digest import (
    DIGEST_RENEWAL_DAYS,
    Digest,
    digest_recipients,
    digest_windows,
    digests_read,
)
from metrics.tasks import notification_send_task

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
RETRY_FIRST = timedelta(minutes=1)  # after the first failure; doubled after each further one
RETRY_MOST = timedelta(minutes=30)
STUCK_AFTER = timedelta(minutes=15)  # a claim older than this belongs to a worker that died
SWEEP_GRACE = timedelta(minutes=5)  # the sweep leaves a due row this long to the task queued for it
STALE_AFTER = timedelta(days=1)  # a digest not sent within a day is dropped: it is no longer news
SLACK_TIMEOUT = 10  # seconds
EMAIL_TIMEOUT = 30


class DeliveryRefused(Exception):
    """The other side refused the message for good: trying again would not change its answer."""


class DeliveryFailed(Exception):
    """An attempt failed in a way that may pass (a 5xx, a timeout, no connection): worth trying again."""


class NotificationDeferred(Exception):
    """An attempt failed and another is due in `seconds` (the task retries then)."""

    def __init__(self, seconds: float, error: str) -> None:
        super().__init__(error)
        self.seconds = seconds


def retry_delay(attempts: int) -> timedelta:
    """How long after its `attempts`-th failed attempt a notification is tried again: 1 minute, then doubling
    (2, 4, 8, 16), at most 30 minutes; after MAX_ATTEMPTS attempts it has failed."""
    return min(RETRY_FIRST * 2 ** min(attempts - 1, 16), RETRY_MOST)


def _absolute(path: str) -> str:
    return settings.KEEL_BASE_URL.rstrip("/") + path


def digest_message(*, digest: Digest, user: User | None, kind: str) -> tuple[str, str, str]:
    """The subject, text and HTML of `digest` for `user` (None: the team) by `kind`; Slack's is its text alone."""
    context = {
        "digest": digest,
        "name": user.name if user else "",
        "base": _absolute(""),
        "days": DIGEST_RENEWAL_DAYS,
    }
    if kind == Notification.Kind.SLACK:
        return "", render_to_string("metrics/digest/slack.txt", context).strip(), ""
    subject = " ".join(render_to_string("metrics/digest/subject.txt", context).split())
    return (
        subject,
        render_to_string("metrics/digest/body.txt", context),
        render_to_string("metrics/digest/body.html", context),
    )


def digests_prepare(*, now: datetime | None = None) -> int:
    """The digests of today (KEEL_TIMEZONE, at `now`): for each kind, each channel without one today yet
    (`digest_recipients`) gets a Notification with its message, unless its digest is empty (no email, no post);
    then every pending notification of today is queued, once this commits. Returns how many were queued. Safe to
    run again: channels that have today's row are skipped, the insert ignores a row another run wrote meanwhile,
    and a queued notification that was sent already is not sent again (`notification_send` claims it)."""
    # A clock given (tests, a replay) is the clock of the sends it queues too; otherwise each task reads its own.
    clock = now.isoformat() if now is not None else None
    now = now or timezone.now()
    day = timezone.localdate(now)
    rows: list[Notification] = []
    for kind in Notification.Kind.values:
        recipients = {user.pk if user else None: user for user in digest_recipients(kind=kind, day=day)}
        if not recipients:
            continue
        windows = digest_windows(kind=kind, channels=list(recipients), day=day, until=now)
        for channel, digest in digests_read(day=day, until=now, since=windows).items():
            if digest.is_empty:
                continue
            subject, body, html = digest_message(digest=digest, user=recipients[channel], kind=kind)
            rows.append(
                Notification(
                    user_id=channel,
                    kind=kind,
                    day=day,
                    since=digest.since,
                    until=now,
                    subject=subject,
                    body=body,
                    html=html,
                    created_at=now,
                    next_attempt_at=now,
                )
            )
    with transaction.atomic():
        Notification.objects.bulk_create(rows, ignore_conflicts=True)
        due = list(
            Notification.objects.filter(day=day, state=Notification.State.PENDING, next_attempt_at__lte=now)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        _queue(due, now=clock)
    logger.info("digests of %s: %s written, %s queued", day, len(rows), len(due))
    return len(due)


def _queue(ids: list[int], *, now: str | None) -> None:
    for pk in ids:
        # robust: a broker that refuses leaves the row pending for the sweep; the others still go.
        transaction.on_commit(_enqueue(pk, now=now), robust=True)


def _enqueue(pk: int, *, now: str | None) -> Callable[[], None]:
    # A named function, not a partial: Django logs a robust callback's failure by its __qualname__.
    def notification_enqueue() -> None:
        notification_send_task.delay(pk, now)

    return notification_enqueue


def notification_send(*, notification_id: int, now: datetime | None = None) -> bool:
    """Send notification `notification_id` if it is still to be sent, and say whether it went.

    Claims it first (pending, or sending for longer than STUCK_AFTER → sending, attempts + 1), so what another
    worker claimed or sent is left alone. Then:
    - accepted: `sent` with sent_at;
    - refused for good (DeliveryRefused), or failing at its MAX_ATTEMPTS-th attempt: `failed`, last_error;
    - any other failure: `pending`, next_attempt_at after `retry_delay`, last_error, and NotificationDeferred is
      raised for the task to retry then."""
    now = now or timezone.now()
    claimable = Q(state=Notification.State.PENDING) | Q(
        state=Notification.State.SENDING, claimed_at__lt=now - STUCK_AFTER
    )
    claimed = Notification.objects.filter(claimable, pk=notification_id).update(
        state=Notification.State.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return False
    notification = Notification.objects.select_related("user").get(pk=notification_id)
    rows = Notification.objects.filter(pk=notification_id)
    try:
        _deliver(notification)
    except Exception as error:
        text = _error_text(error)
        if isinstance(error, DeliveryRefused) or notification.attempts >= MAX_ATTEMPTS:
            logger.warning("%s failed for good (attempt %s): %s", notification, notification.attempts, text)
            rows.update(state=Notification.State.FAILED, last_error=text)
            return False
        delay = retry_delay(notification.attempts)
        logger.warning(
            "%s failed (attempt %s), retried in %s: %s", notification, notification.attempts, delay, text
        )
        rows.update(state=Notification.State.PENDING, next_attempt_at=now + delay, last_error=text)
        raise NotificationDeferred(delay.total_seconds(), text) from error
    rows.update(state=Notification.State.SENT, sent_at=now, last_error="")
    return True


def _deliver(notification: Notification) -> None:
    user = notification.user
    if notification.kind == Notification.Kind.EMAIL:
        assert user is not None  # a team notification is Slack's (a check constraint)
        if not user.is_active:
            raise DeliveryRefused(f"{user.email} is deactivated")
        email_send(
            to=user.email, subject=notification.subject, body=notification.body, html=notification.html
        )
        return
    url = user.slack_webhook_url if user is not None else team_settings().slack_webhook_url
    if not url:
        raise DeliveryRefused("No Slack webhook URL any more")
    slack_post(url=url, text=notification.body)


def email_send(*, to: str, subject: str, body: str, html: str = "") -> None:
    """One email through Django's email backend (EMAIL_URL). A refusal of the recipient (5xx) or an address no
    server takes raises DeliveryRefused; anything else (a 4xx, no connection) raises as it came."""
    timeout = getattr(settings, "EMAIL_TIMEOUT", None) or EMAIL_TIMEOUT
    message = EmailMultiAlternatives(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        connection=get_connection(fail_silently=False, timeout=timeout),
    )
    if html:
        message.attach_alternative(html, "text/html")
    try:
        message.send()
    except ValueError as error:  # Django's sanitize_address: not an address any server takes
        raise DeliveryRefused(str(error)) from error
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _ in error.recipients.values()]
        if codes and min(codes) >= 500:
            raise DeliveryRefused(_error_text(error)) from error
        raise


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A webhook that redirects is not followed: the URL checked on the settings page is where Keel posts."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def slack_post(*, url: str, text: str) -> None:
    """POST {"text": text} as JSON to a Slack incoming webhook, waiting SLACK_TIMEOUT seconds at most. Slack
    answers 200 "ok"; a 4xx other than 408 and 429 (no_service, invalid_token, channel_is_archived, a redirect)
    raises DeliveryRefused; a 5xx, 408, 429, a timeout or no connection raise DeliveryFailed."""
    request = urllib.request.Request(
        url,
        data=json.dumps({"text": text}).encode(),
        method="POST",
        headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": "Keel"},
    )
    try:
        with _opener.open(request, timeout=SLACK_TIMEOUT) as response:
            response.read(1000)
    except urllib.error.HTTPError as error:
        detail = error.read(300).decode("utf-8", "replace").strip()
        words = f"Slack answered {error.code}{f': {detail}' if detail else ''}"
        if error.code < 500 and error.code not in (408, 429):
            raise DeliveryRefused(words) from error
        raise DeliveryFailed(words) from error
    except urllib.error.URLError as error:
        raise DeliveryFailed(f"Cannot reach the webhook: {error.reason}") from error
    except TimeoutError as error:
        raise DeliveryFailed(f"The webhook did not answer within {SLACK_TIMEOUT} s") from error
    except OSError as error:
        raise DeliveryFailed(f"Cannot reach the webhook: {error}") from error


def _error_text(error: Exception) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        replies = error.recipients.values()
        text = "; ".join(f"{code} {_decoded(reply)}".strip() for code, reply in replies)
    elif isinstance(error, smtplib.SMTPResponseException):
        text = f"{error.smtp_code} {_decoded(error.smtp_error)}".strip()
    elif isinstance(error, DeliveryRefused | DeliveryFailed):
        text = str(error)
    else:
        text = f"{type(error).__name__}: {error}"
    return text[:1000]


def _decoded(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def notifications_due_send(*, now: datetime | None = None) -> int:
    """Beat's sweep: drop what was not sent within STALE_AFTER (failed: no longer news), then queue the pending
    notifications whose next attempt is SWEEP_GRACE past and those stuck in `sending`. Returns how many."""
    clock = now.isoformat() if now is not None else None
    now = now or timezone.now()
    unsent = [Notification.State.PENDING, Notification.State.SENDING]
    with transaction.atomic():
        Notification.objects.filter(state__in=unsent, created_at__lt=now - STALE_AFTER).update(
            state=Notification.State.FAILED,
            last_error=Case(
                When(last_error="", then=Value("Not sent within a day", output_field=TextField())),
                default=F("last_error"),
            ),
        )
        due = list(
            Notification.objects.filter(
                Q(state=Notification.State.PENDING, next_attempt_at__lte=now - SWEEP_GRACE)
                | Q(state=Notification.State.SENDING, claimed_at__lt=now - STUCK_AFTER)
            )
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        _queue(due, now=clock)
    return len(due)


@dataclass(frozen=True)
class TestOutcome:
    """What happened to one test message: where it went, and the error ("" when it was accepted)."""

    channel: str
    error: str = ""


def notification_test_send(*, user: User, team: bool = False) -> list[TestOutcome]:
    """A test message now, recorded nowhere: to `user`'s email and, when they gave one, their Slack webhook; with
    `team`, to the team's Slack webhook alone. Each outcome says whether it was accepted or what went wrong."""
    context = {"name": user.name, "team": team, "hour": settings.KEEL_DIGEST_HOUR, "base": _absolute("")}
    text = render_to_string("metrics/digest/test.txt", context).strip()
    sends: list[tuple[str, Callable[[], None]]] = []
    if team:
        url = team_settings().slack_webhook_url
        if url:
            sends.append(("the team's Slack", lambda: slack_post(url=url, text=text)))
    else:
        sends.append(
            (
                f"your email ({user.email})",
                lambda: email_send(to=user.email, subject="Keel: a test message", body=text),
            )
        )
        if user.slack_webhook_url:
            sends.append(("your Slack", lambda: slack_post(url=user.slack_webhook_url, text=text)))
    outcomes = []
    for channel, send in sends:
        try:
            send()
        except Exception as error:
            outcomes.append(TestOutcome(channel, _error_text(error)))
        else:
            outcomes.append(TestOutcome(channel))
    return outcomes
