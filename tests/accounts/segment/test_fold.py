"""Folding accepted messages into usage, contacts and user links (accounts.segment.fold): set-based, idempotent,
with the importer's usage key rule and journal; tracks of unknown accounts wait and apply later."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from accounts.models import (
    ChangedUsageDay,
    Contact,
    SegmentMessage,
    SegmentState,
    SegmentUserAccount,
    UsageEvent,
)
from accounts.segment.fold import KEPT_DAYS, segment_fold, segment_messages_prune, segment_sweep
from tests.accounts.segment.conftest import Post, segment_counts, segment_reasons
from tests.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db


def message(n: int, kind: str = "track", user: str = "u-1", **extra: object) -> dict[str, object]:
    body: dict[str, object] = {
        "type": kind,
        "messageId": f"m-{n}",
        "userId": user,
        "timestamp": f"2025-03-04T11:{n % 60:02d}:00+00:00",
    }
    if kind == "track":
        body["event"] = "Report Built"
    return {**body, **extra}


def usage() -> list[tuple[str, str, str, datetime, int]]:
    return sorted(
        UsageEvent.objects.values_list("account__external_id", "user_id", "event", "occurred_at", "count")
    )


def test_tracks_become_usage_events_once(post: Post) -> None:
    AccountFactory.create(external_id="ACC-1")
    AccountFactory.create(external_id="ACC-2")
    post(
        "batch",
        {
            "batch": [
                message(1, context={"groupId": "ACC-1"}),
                message(2, properties={"account_id": "ACC-2"}),
                message(3, anonymousId="anon-9", userId=None, context={"groupId": "ACC-1"}),
            ]
        },
    )
    assert segment_fold() == 3
    assert usage() == [
        ("ACC-1", "anon-9", "Report Built", datetime(2025, 3, 4, 11, 3, tzinfo=UTC), 1),
        ("ACC-1", "u-1", "Report Built", datetime(2025, 3, 4, 11, 1, tzinfo=UTC), 1),
        ("ACC-2", "u-1", "Report Built", datetime(2025, 3, 4, 11, 2, tzinfo=UTC), 1),
    ]
    assert set(SegmentMessage.objects.values_list("state", flat=True)) == {SegmentState.APPLIED}
    assert ChangedUsageDay.objects.filter(day=date(2025, 3, 4)).exists()
    # Folding again, and the same event under another messageId (the usage key), change nothing.
    assert segment_fold() == 0
    post("batch", {"batch": [message(1, messageId="other", context={"groupId": "ACC-1"})]})
    segment_fold()
    assert len(usage()) == 3


def test_an_imported_event_of_the_same_key_keeps_its_count(post: Post) -> None:
    account = AccountFactory.create(external_id="ACC-1")
    UsageEvent.objects.create(
        account=account,
        user_id="u-1",
        event="Report Built",
        occurred_at=datetime(2025, 3, 4, 11, 1, tzinfo=UTC),
        count=4,
    )
    post("batch", {"batch": [message(1, context={"groupId": "ACC-1"})]})
    segment_fold()
    assert [row[-1] for row in usage()] == [4]


def test_a_group_call_links_the_users_later_tracks(post: Post) -> None:
    AccountFactory.create(external_id="ACC-1")
    AccountFactory.create(external_id="ACC-2")
    post(
        "batch",
        {
            "batch": [
                message(1, "group", groupId="ACC-2", timestamp="2025-03-04T09:00:00Z"),
                message(2, "group", groupId="ACC-1", timestamp="2025-03-04T08:00:00Z"),  # older: loses
                message(3),
            ]
        },
    )
    segment_fold()
    assert SegmentUserAccount.objects.get(user_id="u-1").account_ref == "ACC-2"
    assert [row[0] for row in usage()] == ["ACC-2"]
    post("batch", {"batch": [message(4, "group", groupId="ACC-1", timestamp="2025-03-04T07:00:00Z")]})
    segment_fold()
    assert SegmentUserAccount.objects.get(user_id="u-1").account_ref == "ACC-2"  # still the newest


def test_a_track_of_an_unknown_account_waits_and_applies_after_a_group_call(post: Post) -> None:
    AccountFactory.create(external_id="ACC-1")
    post("batch", {"batch": [message(1), message(2, context={"groupId": "NOPE"})]})
    segment_fold()
    assert usage() == []
    assert SegmentMessage.objects.filter(state=SegmentState.WAITING).count() == 2
    assert segment_counts() == (2, 2)
    assert "does not know" in segment_reasons()[0]
    segment_fold()
    assert segment_counts() == (2, 2)  # counted once
    post("batch", {"batch": [message(3, "group", groupId="ACC-1")]})
    segment_fold()
    assert [row[:2] for row in usage()] == [("ACC-1", "u-1")]  # the track naming NOPE still waits
    assert SegmentMessage.objects.get(state=SegmentState.WAITING).message_id == "m-2"


def test_the_sweep_applies_waiting_tracks_once_their_account_exists(post: Post) -> None:
    post(
        "batch",
        {
            "batch": [
                message(1, context={"groupId": "LATER"}),
                message(2, "group", user="u-2", groupId="LATER"),
                message(3, user="u-2"),
            ]
        },
    )
    segment_fold()
    assert usage() == []
    AccountFactory.create(external_id="LATER")
    assert segment_sweep() == 2
    assert [row[:2] for row in usage()] == [("LATER", "u-1"), ("LATER", "u-2")]
    assert not SegmentMessage.objects.filter(state=SegmentState.WAITING).exists()


def test_identify_updates_the_contact_by_user_id_or_email(post: Post) -> None:
    by_id = ContactFactory.create(external_id="u-1", name="Old", title="Old title")
    by_email = ContactFactory.create(email="Bea@Customer.example", name="Bea")
    post(
        "batch",
        {
            "batch": [
                message(1, "identify", traits={"name": "Ann Lee", "email": "ann@customer.example"}),
                message(2, "identify", traits={"title": "CTO"}, timestamp="2025-03-04T12:00:00Z"),
                message(
                    3,
                    "identify",
                    user="u-2",
                    traits={
                        "email": "bea@customer.example",
                        "firstName": "Bea",
                        "lastName": "Ray",
                        "title": "VP",
                    },
                ),
                message(4, "identify", user="u-3", traits={"email": "nobody@x.example", "name": "N"}),
                message(5, "identify", user="u-4", traits={"email": "not-an-email", "name": "x" * 300}),
            ]
        },
    )
    segment_fold()
    by_id.refresh_from_db()
    by_email.refresh_from_db()
    # The newest identify of u-1 wins, and leaves what it does not say.
    assert (by_id.name, by_id.email, by_id.title) == ("Old", by_id.email, "CTO")
    assert (by_email.name, by_email.email, by_email.title) == ("Bea Ray", "bea@customer.example", "VP")
    states = dict(SegmentMessage.objects.values_list("message_id", "state"))
    assert states["m-4"] == SegmentState.UNMATCHED
    assert Contact.objects.count() == 2


def test_identify_values_that_do_not_fit_are_left_out(post: Post) -> None:
    contact = ContactFactory.create(external_id="u-1", name="Kept", email="kept@customer.example")
    post("batch", {"batch": [message(1, "identify", traits={"name": "x" * 300, "email": "no-at-sign"})]})
    segment_fold()
    contact.refresh_from_db()
    assert (contact.name, contact.email) == ("Kept", "kept@customer.example")


def test_the_fold_is_idempotent_over_many_rounds(post: Post, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("accounts.segment.fold.FOLD_ROUND_ROWS", 3)
    AccountFactory.create(external_id="ACC-1")
    post("batch", {"batch": [message(n, context={"groupId": "ACC-1"}) for n in range(10)]})
    assert segment_fold() == 10
    assert segment_fold() == 0
    assert len(usage()) == 10


def test_folded_messages_are_pruned_after_their_keeping_time_but_waiting_ones_stay(post: Post) -> None:
    AccountFactory.create(external_id="ACC-1")
    post(
        "batch",
        {"batch": [message(1, context={"groupId": "ACC-1"}), message(2, context={"groupId": "NOPE"})]},
    )
    segment_fold()
    assert segment_messages_prune() == 0
    SegmentMessage.objects.update(received_at=timezone.now() - timedelta(days=KEPT_DAYS + 1))
    assert segment_messages_prune() == 1
    assert SegmentMessage.objects.get().state == SegmentState.WAITING
    assert len(usage()) == 1
