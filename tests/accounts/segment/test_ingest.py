"""The Segment endpoint takes requests in as Segment's HTTP tracking API does (DATA.md §3): auth, limits, gzip,
JSON, dedupe by messageId, the event time, and what it counts for the Data sources page."""

from __future__ import annotations

import gzip
import json
import zlib
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from accounts.models import SegmentMessage, SegmentWriteKey
from accounts.segment.ingest import MAX_BATCH_BYTES, event_time
from accounts.segment.keys import write_key_revoke
from tests.accounts.segment.conftest import Post, basic, segment_counts, segment_reasons

pytestmark = pytest.mark.django_db

RECEIVED = datetime(2025, 3, 4, 12, 0, 0, tzinfo=UTC)


def track(n: int = 1, **extra: object) -> dict[str, object]:
    return {
        "type": "track",
        "messageId": f"m-{n}",
        "userId": "u-1",
        "event": "Report Built",
        "timestamp": "2025-03-04T11:00:00+00:00",
        "context": {"groupId": "ACC-1"},
        **extra,
    }


def test_a_batch_is_stored_and_answered_as_segment_does(post: Post) -> None:
    response = post("batch", {"batch": [track(1), track(2)], "sentAt": "2025-03-04T11:00:00Z"})
    assert response.status_code == 200
    assert response.json() == {"success": True}
    assert SegmentMessage.objects.count() == 2
    assert segment_counts() == (2, 0)


@pytest.mark.parametrize(
    ("path", "body", "kind"),
    [
        ("track", {"userId": "u-1", "event": "Login"}, "track"),
        ("identify", {"userId": "u-1", "traits": {"email": "a@b.example"}}, "identify"),
        ("group", {"userId": "u-1", "groupId": "ACC-1"}, "group"),
    ],
)
def test_single_endpoints_take_their_type_from_the_path(post: Post, path: str, body: dict, kind: str) -> None:
    assert post(path, body).status_code == 200
    assert SegmentMessage.objects.get().kind == kind


def test_no_key_a_wrong_key_and_a_revoked_key_get_401(post: Post, write_key: str) -> None:
    assert post("batch", {"batch": [track()]}, auth="").status_code == 401
    assert post("batch", {"batch": [track()]}, auth=basic("not-a-key")).status_code == 401
    assert post("batch", {"batch": [track()]}, auth="Basic !!!").status_code == 401
    write_key_revoke(key=SegmentWriteKey.objects.get())
    response = post("batch", {"batch": [track()]})
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Basic")
    assert SegmentMessage.objects.count() == 0
    assert segment_counts() == (0, 4)


def test_the_write_key_may_come_in_the_body(post: Post, write_key: str) -> None:
    assert post("batch", {"batch": [track()], "writeKey": write_key}, auth="").status_code == 200
    assert SegmentMessage.objects.count() == 1
    assert SegmentWriteKey.objects.get().last_used_at is not None


def test_gzip_bodies_are_unzipped(post: Post) -> None:
    assert post("batch", {"batch": [track(1), track(2)]}, zipped=True).status_code == 200
    assert SegmentMessage.objects.count() == 2


def test_a_batch_over_500_kb_is_refused_whole(post: Post) -> None:
    messages = [track(n, properties={"pad": "x" * 20_000}) for n in range(30)]
    response = post("batch", {"batch": messages})
    assert response.status_code == 400
    assert response.json()["code"] == "too_large"
    assert SegmentMessage.objects.count() == 0


def test_a_message_over_32_kb_refuses_its_batch(post: Post) -> None:
    response = post("batch", {"batch": [track(1), track(2, properties={"pad": "x" * 33_000})]})
    assert response.status_code == 400
    assert "message 1" in response.json()["message"]
    assert SegmentMessage.objects.count() == 0
    assert (
        post("track", {"userId": "u", "event": "e", "properties": {"pad": "x" * 33_000}}).status_code == 400
    )


def test_a_gzip_bomb_stops_at_the_limit(post: Post) -> None:
    """50 MB of zeros in 50 KB of gzip: refused once the unzipped body passes 500 KB, never inflated whole."""
    bomb = gzip.compress(b"0" * 50_000_000)
    assert len(bomb) < MAX_BATCH_BYTES
    response = post("batch", bomb, HTTP_CONTENT_ENCODING="gzip")
    assert response.status_code == 400
    assert response.json()["code"] == "too_large"
    assert post("batch", b"not gzip", HTTP_CONTENT_ENCODING="gzip").status_code == 400
    assert post("batch", zlib.compress(b"{}"), HTTP_CONTENT_ENCODING="deflate").status_code == 400


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b'{"batch": 3}', b"\xff\xfe"])
def test_bad_json_is_a_400(post: Post, body: bytes) -> None:
    response = post("batch", body)
    assert response.status_code == 400
    assert response.json()["success"] is False
    assert SegmentMessage.objects.count() == 0
    assert segment_counts() == (0, 1)


def test_a_resent_message_is_stored_once(post: Post) -> None:
    assert post("batch", {"batch": [track(1), track(2)]}).status_code == 200
    assert post("batch", {"batch": [track(2), track(3), track(3)]}).status_code == 200
    assert sorted(SegmentMessage.objects.values_list("message_id", flat=True)) == ["m-1", "m-2", "m-3"]


def test_messages_without_a_messageid_are_keyed_by_their_hash(post: Post) -> None:
    message = track()
    del message["messageId"]
    post("batch", {"batch": [message]})
    post("batch", {"batch": [message, {**message, "event": "Other"}]})
    ids = list(SegmentMessage.objects.values_list("message_id", flat=True))
    assert len(ids) == 2
    assert all(i.startswith("sha256:") for i in ids)


def test_unusable_messages_are_dropped_with_a_reason_and_the_rest_stored(post: Post) -> None:
    batch = [
        track(1),
        track(2, userId=None),
        track(3, event=""),
        track(4, timestamp="yesterday"),
        track(5, timestamp="2025-03-04T11:00:00"),
        {"type": "page", "userId": "u-1", "messageId": "m-6"},
        {"type": "group", "userId": "u-1", "messageId": "m-7"},
        track(8, messageId="x" * 201),
        "not a message",
    ]
    assert post("batch", {"batch": batch}).status_code == 200
    assert list(SegmentMessage.objects.values_list("message_id", flat=True)) == ["m-1"]
    assert segment_counts() == (1, 8)
    reasons = segment_reasons()
    assert "no userId or anonymousId" in reasons
    assert "a track has no `event`" in reasons
    assert "page messages are not used by Keel" in reasons
    assert "a group has no groupId" in reasons


def test_event_time_corrects_the_senders_clock() -> None:
    """Segment's rule, timestamp = receivedAt − (sentAt − timestamp): a client 2 hours fast whose event
    happened 10 minutes before it sent the batch."""
    message = {"timestamp": "2025-03-04T13:50:00+00:00"}
    assert event_time(message, "2025-03-04T14:00:00+00:00", RECEIVED) == RECEIVED - timedelta(minutes=10)
    # The message's own sentAt wins over the batch's; without one the timestamp stands; without both, receivedAt.
    assert event_time({**message, "sentAt": "2025-03-04T13:55:00Z"}, "2025-03-04T14:00:00Z", RECEIVED) == (
        RECEIVED - timedelta(minutes=5)
    )
    assert event_time(message, None, RECEIVED) == datetime(2025, 3, 4, 13, 50, tzinfo=UTC)
    assert event_time({}, "2025-03-04T14:00:00Z", RECEIVED) == RECEIVED
    # Already corrected by Segment (a destination forwards receivedAt): kept as it is.
    assert event_time({**message, "receivedAt": "x"}, "2025-03-04T14:00:00Z", RECEIVED) == datetime(
        2025, 3, 4, 13, 50, tzinfo=UTC
    )
    assert event_time({"timestamp": "2025-03-04"}, None, RECEIVED) is None
    assert event_time(message, "soon", RECEIVED) is None


def test_the_endpoint_stores_the_corrected_time(post: Post) -> None:
    sent = datetime.now(UTC) + timedelta(hours=2)
    message = track(timestamp=(sent - timedelta(minutes=10)).isoformat())
    before = datetime.now(UTC)
    post("batch", {"batch": [message], "sentAt": sent.isoformat()})
    stored = SegmentMessage.objects.get()
    assert stored.occurred_at == stored.received_at - timedelta(minutes=10)
    assert before <= stored.received_at <= datetime.now(UTC)


def test_get_is_not_allowed(client: Client, write_key: str) -> None:
    assert client.get("/v1/batch", HTTP_AUTHORIZATION=basic(write_key)).status_code == 405


def test_the_message_is_kept_as_sent(post: Post) -> None:
    message = track(properties={"plan": "pro", "n": 3})
    post("batch", {"batch": [message]})
    assert SegmentMessage.objects.get().body == json.loads(json.dumps(message))


def test_text_postgresql_cannot_hold_drops_the_message_not_the_request(post: Post) -> None:
    body = b'{"batch": [%s, %s, %s]}' % (
        json.dumps(track(1)).encode(),
        json.dumps(track(2, event="nul \u0000 here")).encode(),
        json.dumps(track(3)).encode()[:-1] + b', "name": "\\ud800"}',
    )
    assert post("batch", body).status_code == 200
    assert list(SegmentMessage.objects.values_list("message_id", flat=True)) == ["m-1"]
    assert segment_counts() == (1, 2)


def test_batch_takes_one_forwarded_message_with_its_own_type(post: Post) -> None:
    """What a Segment Webhooks destination posts: one message, already timed by Segment (receivedAt)."""
    forwarded = track(1, receivedAt="2025-03-04T11:00:05Z", sentAt="2025-03-04T11:00:04Z")
    assert post("batch", forwarded).status_code == 200
    stored = SegmentMessage.objects.get()
    assert stored.occurred_at == datetime(2025, 3, 4, 11, 0, tzinfo=UTC)
