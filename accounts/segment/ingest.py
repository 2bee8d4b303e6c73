"""Taking in Segment HTTP tracking API requests (DATA.md §3): the body read within its limits, the messages
checked one by one, and the good ones stored in one INSERT, deduplicated by `messageId`, to be folded later.

As Segment does: a body over 500 KB (after gunzip) or a message over 32 KB refuses the whole request (400), as
does a body that is not JSON; a message that is well formed but unusable (no user, no event, a bad timestamp, a
type Keel does not use) is dropped and counted as rejected, while the rest of its batch is stored (200).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError

from accounts.models import DataSource
from accounts.services import source_accepted, source_rejected
from accounts.tasks import SEGMENT_FOLD_QUEUED, segment_fold_task

logger = logging.getLogger(__name__)

MAX_BATCH_BYTES = 500 * 1024
MAX_MESSAGE_BYTES = 32 * 1024
KINDS = ("track", "identify", "group")
IGNORED_KINDS = ("page", "screen", "alias")
MAX_ID_LENGTH = 200  # messageId, userId, event, groupId: the lengths of the columns they go into
# A queued fold's flag expires after this, should its task be lost before it starts (beat sweeps anyway).
FOLD_FLAG_SECONDS = 60
_dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


class SegmentRequestError(Exception):
    """A request refused whole: nothing of it is stored. `status` is the HTTP status, `code` a short word."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass
class Intake:
    """The messages of one request ready to store, column by column, and the ones dropped, by reason."""

    received_at: datetime
    rows: list[str] = field(default_factory=list)  # JSON arrays: the columns, then the message as sent
    dropped: Counter[str] = field(default_factory=Counter)
    dropped_ids: dict[str, list[str]] = field(default_factory=dict)

    @property
    def stored(self) -> int:
        return len(self.rows)

    def drop(self, reason: str, message_id: Any) -> None:
        self.dropped[reason] += 1
        ids = self.dropped_ids.setdefault(reason, [])
        if len(ids) < 5 and isinstance(message_id, str):
            ids.append(message_id[:MAX_ID_LENGTH])


def body_read(read: Callable[[int], bytes], *, content_length: str | None, encoding: str) -> bytes:
    """The request body, gunzipped when it says so, refused beyond MAX_BATCH_BYTES (before or after gunzip:
    a small gzip that inflates beyond the limit stops there, so a gzip bomb costs no memory)."""
    try:
        if content_length and int(content_length) > MAX_BATCH_BYTES:
            raise SegmentRequestError(400, "too_large", f"the body is over {MAX_BATCH_BYTES} bytes")
    except ValueError:
        raise SegmentRequestError(400, "bad_request", "Content-Length is not a number") from None
    raw = read(MAX_BATCH_BYTES + 1)
    if len(raw) > MAX_BATCH_BYTES:
        raise SegmentRequestError(400, "too_large", f"the body is over {MAX_BATCH_BYTES} bytes")
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        return raw
    if encoding != "gzip":
        raise SegmentRequestError(400, "bad_request", f"Content-Encoding {encoding[:20]!r} is not gzip")
    inflate = zlib.decompressobj(wbits=31)
    try:
        body = inflate.decompress(raw, MAX_BATCH_BYTES + 1)
    except zlib.error:
        raise SegmentRequestError(400, "bad_request", "the body is not valid gzip") from None
    if len(body) > MAX_BATCH_BYTES or inflate.unconsumed_tail:
        raise SegmentRequestError(400, "too_large", f"the unzipped body is over {MAX_BATCH_BYTES} bytes")
    return body


def body_parse(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise SegmentRequestError(400, "invalid_json", f"the body is not JSON: {error}") from None
    if not isinstance(data, dict):
        raise SegmentRequestError(400, "invalid_json", "the body is not a JSON object")
    return data


def body_parse_quietly(body: bytes) -> dict[str, Any] | None:
    """The body if it is a JSON object, else None: where the key may be in it, a body that is not JSON is
    refused for having no key (401) before anything else."""
    try:
        return body_parse(body)
    except SegmentRequestError:
        return None


def write_key_of(authorization: str, data: dict[str, Any] | None) -> str | None:
    """The write key: the user name of HTTP basic auth, else the body's `writeKey` (as Segment accepts)."""
    scheme, _, credentials = authorization.partition(" ")
    if scheme.lower() == "basic" and credentials:
        try:
            decoded = base64.b64decode(credentials.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return None
        key, _, _password = decoded.partition(":")
        return key or None
    in_body = data.get("writeKey") if data else None
    return in_body if isinstance(in_body, str) and in_body else None


def messages_of(data: dict[str, Any], kind: str | None) -> tuple[list[Any], dict[str, Any]]:
    """The messages of a request and the batch's own fields (`sentAt`, `context`): the `batch` list for
    /v1/batch (kind None), or a body that is one message with its `type`; the body itself for /v1/<kind>."""
    if kind is not None:
        return [{**data, "type": kind}], {}
    batch = data.get("batch")
    if batch is None and isinstance(data.get("type"), str):
        return [data], {}  # one message with its own type, as a Segment Webhooks destination forwards them
    if not isinstance(batch, list):
        raise SegmentRequestError(400, "bad_request", "`batch` is not a list of messages")
    return batch, data


def intake(messages: list[Any], batch: dict[str, Any], *, received_at: datetime) -> Intake:
    """Check each message and take out the columns the fold needs. Raises SegmentRequestError for a message
    over MAX_MESSAGE_BYTES (the whole request is refused, as Segment does). Each message is serialized once,
    and that text is what is stored (PostgreSQL parses it into jsonb)."""
    result = Intake(received_at=received_at)
    batch_sent_at = batch.get("sentAt")
    batch_context = batch.get("context")
    batch_group = batch_context.get("groupId") if isinstance(batch_context, dict) else None
    for index, message in enumerate(messages):
        if not isinstance(message, dict):
            result.drop("a message is not a JSON object", None)
            continue
        text = _dumps(message)
        try:
            size = len(text.encode())
        except UnicodeEncodeError:  # a lone surrogate (\ud800): JSON allows it, UTF-8 cannot hold it
            result.drop("a message holds text that is not Unicode", message.get("messageId"))
            continue
        if size > MAX_MESSAGE_BYTES:
            raise SegmentRequestError(400, "too_large", f"message {index} is over {MAX_MESSAGE_BYTES} bytes")
        if "\\u0000" in text:  # PostgreSQL's jsonb holds no NUL character
            result.drop("a message holds a NUL character (\\u0000)", message.get("messageId"))
            continue
        problem = _message_add(result, message, text, batch_sent_at, batch_group)
        if problem:
            result.drop(problem, message.get("messageId"))
    return result


def _text(value: Any) -> str | None:
    """An id as text: strings, and whole numbers as Segment's libraries stringify them."""
    if isinstance(value, str):
        return value or None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def _instant(value: Any) -> datetime | bool | None:
    """An ISO 8601 datetime with an offset; None when absent; False when present but bad."""
    if value is None:
        return None
    if not isinstance(value, str):
        return False
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return False
    return parsed if parsed.tzinfo is not None else False


def event_time(message: dict[str, Any], batch_sent_at: Any, received_at: datetime) -> datetime | None:
    """Segment's rule: timestamp = receivedAt − (sentAt − timestamp), which takes the sender's clock skew out;
    `timestamp` as is without a `sentAt` (or when Segment has already corrected it: the message carries its
    `receivedAt`); receivedAt without a `timestamp`. None when a time is given but is not valid."""
    stamp = _instant(message.get("timestamp"))
    if stamp is False:
        return None
    if stamp is None:
        return received_at
    assert isinstance(stamp, datetime)
    if "receivedAt" in message:
        return stamp
    sent = _instant(message.get("sentAt", batch_sent_at))
    if sent is False:
        return None
    if sent is None:
        return stamp
    assert isinstance(sent, datetime)
    return received_at - (sent - stamp)


def _message_add(
    result: Intake, message: dict[str, Any], text: str, batch_sent_at: Any, batch_group: Any
) -> str | None:
    """Add a message's columns to `result`, or say why it is dropped."""
    kind = message.get("type")
    if kind not in KINDS:
        if kind in IGNORED_KINDS:
            return f"{kind} messages are not used by Keel"
        return "`type` is not track, identify or group"
    user = _text(message.get("userId")) or _text(message.get("anonymousId"))
    if user is None:
        return "no userId or anonymousId"
    if len(user) > MAX_ID_LENGTH:
        return f"userId is over {MAX_ID_LENGTH} characters"
    message_id = message.get("messageId")
    if message_id is None:
        message_id = "sha256:" + hashlib.sha256(text.encode()).hexdigest()
    elif not isinstance(message_id, str) or not message_id or len(message_id) > MAX_ID_LENGTH:
        return f"messageId is not a string of 1 to {MAX_ID_LENGTH} characters"
    event = ""
    account: str | None = None
    if kind == "track":
        event = message.get("event")  # type: ignore[assignment]
        if not isinstance(event, str) or not event.strip():
            return "a track has no `event`"
        if len(event) > MAX_ID_LENGTH:
            return f"event is over {MAX_ID_LENGTH} characters"
        context, properties = message.get("context"), message.get("properties")
        account = (
            (_text(context.get("groupId")) if isinstance(context, dict) else None)
            or (_text(properties.get("account_id")) if isinstance(properties, dict) else None)
            or _text(batch_group)
        )
    elif kind == "group":
        account = _text(message.get("groupId"))
        if account is None:
            return "a group has no groupId"
    if account is not None and len(account) > MAX_ID_LENGTH:
        return f"the account id is over {MAX_ID_LENGTH} characters"
    occurred_at = event_time(message, batch_sent_at, result.received_at)
    if occurred_at is None:
        return "timestamp or sentAt is not an ISO 8601 datetime with an offset"
    columns = _dumps([message_id, kind, user, event, account or "", occurred_at.isoformat()])
    result.rows.append(f"{columns[:-1]},{text}]")
    return None


_INSERT = """
    INSERT INTO accounts_segmentmessage
        (message_id, kind, user_id, event, account_ref, occurred_at, body, received_at, state)
    SELECT r ->> 0, r ->> 1, r ->> 2, r ->> 3, r ->> 4, (r ->> 5)::timestamptz, r -> 6, %s, 'pending'
    FROM jsonb_array_elements(%s::jsonb) AS r
    ON CONFLICT (message_id) DO NOTHING
"""


def intake_store(result: Intake, *, key_id: int, path: str, on_stored: Callable[[], None]) -> None:
    """Store the messages of `result` in one INSERT (a known messageId is skipped) and count them; count the
    dropped ones as rejected, by reason. `on_stored` runs once the messages are committed (the fold)."""
    if result.stored:
        with transaction.atomic():
            with connection.cursor() as cursor:
                # One parameter for the whole batch, a text PostgreSQL parses, quoted by libpq at once: arrays
                # of text were quoted element by element in Python, most of a request's time.
                cursor.execute(_INSERT, [result.received_at, "[" + ",".join(result.rows) + "]"])
            source_accepted(DataSource.SEGMENT, result.stored, at=result.received_at)
            transaction.on_commit(on_stored)
    for reason, count in result.dropped.items():
        source_rejected(
            DataSource.SEGMENT,
            reason,
            count=count,
            at=result.received_at,
            detail={"path": path, "key": key_id, "messages": result.dropped_ids.get(reason, [])},
        )


def fold_queue() -> None:
    """Queue a fold of what is pending, unless one is queued already (one task for a burst of batches; the
    task clears the flag when it starts). Without Redis the fold runs here, eagerly; beat's sweep catches
    anything a lost task left."""
    if settings.CELERY_TASK_ALWAYS_EAGER or cache.add(SEGMENT_FOLD_QUEUED, 1, timeout=FOLD_FLAG_SECONDS):
        try:
            segment_fold_task.delay()
        except KombuOperationalError as error:
            # The broker (Redis) is away: the messages are stored, and beat's sweep folds them once it is back.
            cache.delete(SEGMENT_FOLD_QUEUED)
            logger.warning("The Segment fold could not be queued (%s): the sweep will fold.", error)


def request_refused(error: SegmentRequestError, *, path: str, key_id: int | None) -> None:
    source_rejected(
        DataSource.SEGMENT, error.message, detail={"path": path, "key": key_id, "status": error.status}
    )


def received_now() -> datetime:
    return timezone.now()
