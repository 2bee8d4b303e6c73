"""PostgreSQL restarted while Segment batches and API writes stream in (a private cluster, never the shared
one): requests in the gap get 503 with Retry-After (config.unavailable), never a 500 or a 2xx that stored
nothing; the official Segment client and an API client retry, and every message and event is stored once."""

from __future__ import annotations

import subprocess
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
import requests
from django.db import connection
from segment.analytics import Client

from accounts.models import User
from accounts.segment.keys import write_key_create
from tests.conftest import api_key
from tests.factories import AccountFactory
from tests.faults.conftest import PrivatePostgres, gunicorn, keel_env, wait_until

pytestmark = pytest.mark.faults

WHEN = datetime(2025, 3, 4, 10, 0, tzinfo=UTC)
EVENTS_PER_REQUEST = 50


def _statuses(log: Path, path: str) -> list[int]:
    """The status of every request to `path` in gunicorn's access log ("METHOD PATH STATUS" lines)."""
    lines = log.read_text().splitlines() if log.exists() else []
    return [int(line.split()[2]) for line in lines if line.split()[1] == path]


class ApiWriter(threading.Thread):
    """POSTs usage events, EVENTS_PER_REQUEST a request, each request until it is accepted: after a 503 it
    waits the Retry-After the answer gives (and notes it), as a client should."""

    def __init__(self, url: str, key: str) -> None:
        super().__init__(daemon=True)
        self.url, self.key = url, key
        self.stop = threading.Event()
        self.sent = 0  # events accepted (a 2xx)
        self.answers: list[tuple[int, str | None]] = []

    def run(self) -> None:
        batch = 0
        while not self.stop.is_set():
            events = [
                {
                    "account_id": "ACME",
                    "user_id": f"api-{batch}-{n}",
                    "event": "API Login",
                    "occurred_at": (WHEN + timedelta(seconds=batch)).isoformat(),
                }
                for n in range(EVENTS_PER_REQUEST)
            ]
            while True:
                try:
                    response = requests.post(
                        f"{self.url}/api/v1/usage/",
                        json={"events": events},
                        headers={"Authorization": f"Token {self.key}"},
                        timeout=30,
                    )
                except requests.ConnectionError:  # pragma: no cover - gunicorn itself stays up
                    time.sleep(0.2)
                    continue
                self.answers.append((response.status_code, response.headers.get("Retry-After")))
                if response.status_code < 300:
                    self.sent += len(events)
                    break
                if response.status_code != 503:
                    return  # the test fails on it
                time.sleep(float(response.headers.get("Retry-After") or 1))
            batch += 1
            time.sleep(0.02)


class SegmentSender(threading.Thread):
    """Tracks through the official client, in small batches, until told to stop."""

    def __init__(self, client: Client) -> None:
        super().__init__(daemon=True)
        self.client = client
        self.stop = threading.Event()
        self.tracked = 0

    def run(self) -> None:
        while not self.stop.is_set():
            for _ in range(10):
                n = self.tracked
                self.client.track(
                    f"seg-{n}",
                    "Segment Login",
                    context={"groupId": "ACME"},
                    timestamp=WHEN + timedelta(seconds=n),
                    message_id=f"restart-{n}",
                )
                self.tracked += 1
            time.sleep(0.05)


def _count(url: str, sql: str) -> int:
    with psycopg.connect(url) as db:
        row = db.execute(sql).fetchone()
        assert row is not None
        return int(row[0])


@pytest.mark.django_db(transaction=True)
def test_a_restart_of_postgresql_loses_nothing_accepted(
    private_postgres: PrivatePostgres, admin_user: User, tmp_path: Path, other_sessions_ended: None
) -> None:
    AccountFactory.create(external_id="ACME")
    write_key = write_key_create(name="Backend", user=None)[1]
    token = api_key(admin_user)
    # Keel's schema and these rows, copied from the test database into the private cluster.
    with psycopg.connect(private_postgres.url(), autocommit=True) as db:
        db.execute("CREATE DATABASE keel")
    source = connection.settings_dict
    dump = subprocess.run(
        [
            str(private_postgres.bin / "pg_dump"),
            "-h",
            source["HOST"],
            "-p",
            str(source["PORT"] or 5432),
            "-U",
            source["USER"],
            "--no-owner",
            source["NAME"],
        ],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [str(private_postgres.bin / "psql"), "-q", "-v", "ON_ERROR_STOP=1", private_postgres.url("keel")],
        input=dump.stdout,
        check=True,
        capture_output=True,
    )
    keel = private_postgres.url("keel")
    log = tmp_path / "access.log"
    errors: list[Any] = []
    with gunicorn(keel_env(database_url=keel, redis_url=None), log=log) as url:
        client = Client(
            write_key, host=url, upload_size=20, max_retries=30, on_error=lambda e, batch: errors.append(e)
        )
        segment, api = SegmentSender(client), ApiWriter(url, token)
        segment.start()
        api.start()
        wait_until(
            lambda: 200 in _statuses(log, "/v1/batch") and api.sent >= 5 * EVENTS_PER_REQUEST,
            timeout=60,
            what="batches and API writes accepted before the restart",
        )
        private_postgres.stop("fast")  # ends every session, in-flight transactions roll back
        wait_until(
            lambda: 503 in _statuses(log, "/v1/batch") and 503 in _statuses(log, "/api/v1/usage/"),
            timeout=60,
            what="503 answers while PostgreSQL is down",
        )
        private_postgres.start()
        accepted_at_start = api.sent
        wait_until(
            lambda: api.sent > accepted_at_start + 5 * EVENTS_PER_REQUEST,
            timeout=60,
            what="API writes accepted again after the restart",
        )
        segment.stop.set()
        api.stop.set()
        segment.join(30)
        api.join(60)
        client.flush()
        client.shutdown()

    assert errors == []  # the client gave up on no batch
    statuses = _statuses(log, "/v1/batch") + _statuses(log, "/api/v1/usage/")
    assert 500 not in statuses and set(statuses) <= {200, 201, 503}, sorted(set(statuses))
    refused = [answer for answer in api.answers if answer[0] == 503]
    assert refused and all(retry_after == "2" for _, retry_after in refused)
    assert _count(keel, "SELECT count(*) FROM accounts_segmentmessage") == segment.tracked
    assert (
        _count(
            keel,
            "SELECT count(DISTINCT message_id) FROM accounts_segmentmessage WHERE message_id LIKE 'restart-%'",
        )
        == segment.tracked
    )
    assert (
        _count(keel, "SELECT count(*) FROM accounts_usageevent WHERE event = 'Segment Login'")
        == segment.tracked
    )
    assert _count(keel, "SELECT count(*) FROM accounts_usageevent WHERE event = 'API Login'") == api.sent
