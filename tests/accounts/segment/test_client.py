"""The official `segment-analytics-python` client, pointed at a live Keel server (DATA.md §3, issue 14's
"Done when"): its track, identify and group calls, flushed, one resent, land in usage once each."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pytest_django.live_server_helper import LiveServer
from segment.analytics import Client

from accounts.models import Contact, SegmentUserAccount, SegmentWriteKey, UsageEvent
from accounts.segment.keys import write_key_create, write_key_revoke
from tests.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db(transaction=True)

WHEN = datetime(2025, 3, 4, 10, 0, tzinfo=UTC)


@pytest.fixture
def errors() -> list[Any]:
    return []


@pytest.fixture(params=[False, True], ids=["json", "gzip"])
def analytics(request: pytest.FixtureRequest, live_server: LiveServer, errors: list[Any]) -> Iterator[Client]:
    secret = write_key_create(name="Backend", user=None)[1]
    client = Client(
        secret,
        host=live_server.url,
        gzip=request.param,
        max_retries=0,
        on_error=lambda error, batch: errors.append((error, batch)),
    )
    yield client
    client.shutdown()


def test_the_official_client_sends_track_identify_and_group(analytics: Client, errors: list[Any]) -> None:
    acme = AccountFactory.create(external_id="ACME")
    AccountFactory.create(external_id="GLOBEX")
    ContactFactory.create(external_id="u-ann", account=acme, name="A.", title="")
    analytics.group("u-bob", "GLOBEX", timestamp=WHEN - timedelta(hours=1))
    analytics.identify("u-ann", {"name": "Ann Lee", "title": "Head of Data"}, timestamp=WHEN)
    analytics.track("u-ann", "Report Built", {"account_id": "ACME"}, timestamp=WHEN, message_id="resent-1")
    analytics.track("u-ann", "Login", context={"groupId": "ACME"}, timestamp=WHEN + timedelta(minutes=1))
    analytics.track("u-bob", "Login", timestamp=WHEN + timedelta(minutes=2))
    analytics.flush()
    # The same message again (a retry after a lost answer, say): not counted twice.
    analytics.track("u-ann", "Report Built", {"account_id": "ACME"}, timestamp=WHEN, message_id="resent-1")
    analytics.flush()
    assert errors == []
    events = sorted(UsageEvent.objects.values_list("account__external_id", "user_id", "event", "count"))
    assert events == [
        ("ACME", "u-ann", "Login", 1),
        ("ACME", "u-ann", "Report Built", 1),
        ("GLOBEX", "u-bob", "Login", 1),
    ]
    ann = Contact.objects.get(external_id="u-ann")
    assert (ann.name, ann.title) == ("Ann Lee", "Head of Data")
    assert SegmentUserAccount.objects.get(user_id="u-bob").account_ref == "GLOBEX"
    # The client's clocks agree with the server's here: the skew correction keeps the client's time to the
    # second (the client's sentAt and Keel's receivedAt are milliseconds apart).
    first = UsageEvent.objects.get(event="Report Built").occurred_at
    assert abs(first - WHEN) < timedelta(seconds=5)


def test_a_revoked_key_is_refused(analytics: Client, errors: list[Any]) -> None:
    write_key_revoke(key=SegmentWriteKey.objects.get())
    analytics.track("u-ann", "Login", context={"groupId": "ACME"})
    analytics.flush()
    assert [error.status for error, _ in errors] == [401]
    assert not UsageEvent.objects.exists()
