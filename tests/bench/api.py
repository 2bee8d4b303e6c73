"""API bulk usage ingest (issue 14): `POST /api/v1/usage/` with 10,000 events a request, over loopback to a
real server (gunicorn, two sync workers, as docker compose serves Keel), on a bench database of 1,000 accounts.
Each request's events are new (first sends), then the same requests are sent again (all known: the importer's
merge path, which changes nothing)."""

from __future__ import annotations

import http.client
import json
import time
from datetime import UTC, datetime, timedelta

from django.db import connection

from accounts.models import Account, ChangedUsageDay, Role, UsageEvent, User
from accounts.services import api_token_create
from accounts.sql import compose
from tests.bench.databases import dataset
from tests.bench.servers import gunicorn

BENCH_DB = "keel_bench_api"
ACCOUNTS = 1_000
EVENTS = 10_000  # per request: the API's limit
REQUESTS = 10

Row = tuple[str, str, str]


def _build() -> None:
    Account.objects.bulk_create(
        Account(external_id=f"A{n:05d}", name=f"Api {n:05d}") for n in range(ACCOUNTS)
    )
    User.objects.create_user("bench-admin@keel.test", None, name="Bench Admin", role=Role.ADMIN)


def _body(request: int) -> bytes:
    start = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=request)
    events = [
        {
            "account_id": f"A{n % ACCOUNTS:05d}",
            "user_id": f"user-{n % 37}",
            "event": ("login", "report_viewed", "export")[n % 3],
            "occurred_at": (start + timedelta(milliseconds=n)).isoformat().replace("+00:00", "Z"),
        }
        for n in range(EVENTS)
    ]
    return json.dumps({"events": events}).encode()


def _send(port: int, key: str, bodies: list[bytes]) -> float:
    """Seconds to POST every body, one after the other, on one keep-alive connection; each must be a 200."""
    client = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Authorization": f"Token {key}", "Content-Type": "application/json"}
    began = time.perf_counter()
    for body in bodies:
        client.request("POST", "/api/v1/usage/", body=body, headers=headers)
        response = client.getresponse()
        answer = response.read()
        assert response.status == 200, answer[:500]
    seconds = time.perf_counter() - began
    client.close()
    return seconds


def bench_api(*, fresh: bool) -> list[Row]:
    dataset(BENCH_DB, {"accounts": ACCOUNTS, "admin": True}, _build, fresh=fresh)
    with connection.cursor() as cursor:  # what the last run sent
        tables = [model._meta.db_table for model in (UsageEvent, ChangedUsageDay)]
        cursor.execute(compose("TRUNCATE {tables}", tables=tables))
    admin = User.objects.get(email="bench-admin@keel.test")
    _, key = api_token_create(name="bench", user=admin, created_by=admin)
    bodies = [_body(n) for n in range(REQUESTS)]
    with gunicorn() as port:
        _send(port, key, [_body(REQUESTS)])  # warm up: imports, connections (its events are not timed)
        first = _send(port, key, bodies)
        again = _send(port, key, bodies)
    assert UsageEvent.objects.count() == EVENTS * (REQUESTS + 1)
    total = EVENTS * REQUESTS
    note = f"{REQUESTS} requests of {EVENTS:,} events, one client, gunicorn -w 2 on loopback"
    return [
        ("API bulk usage ingest, new events", f"{total / first:,.0f} events/s", note),
        (
            "API bulk usage ingest, resent (unchanged)",
            f"{total / again:,.0f} events/s",
            "the same requests again",
        ),
    ]
