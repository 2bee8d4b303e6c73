"""Segment batch ingest (issue 14): batches as `segment-analytics-python` sends them (100 or 500 tracks of about
400 bytes each, JSON, basic auth), posted by 8 client processes on loopback to a real server (gunicorn, 2
workers of 4 threads each, so that one thread's wait for its commit's fsync lets another work; the local settings
without debug) over a bench database; then the fold of everything accepted
into usage, timed in this process as one worker would run it. Goal: 20,000 events/s accepted on 2 cores.

The server gets the bench's REDIS_URL, so an accepted batch only queues a fold (at most one a minute, and no
worker runs here: the fold is timed separately); without REDIS_URL the server folds in the request, eagerly,
and the accept rate includes the fold.
"""

from __future__ import annotations

import base64
import http.client
import json
import multiprocessing
import time
import uuid
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import connection

from accounts.models import Account
from accounts.segment.fold import segment_fold
from accounts.segment.keys import write_key_create
from tests.bench.databases import use_database
from tests.bench.servers import gunicorn

BENCH_DB = "keel_bench_segment"
ACCOUNTS = 1_000
EVENTS = 200_000
CLIENTS = 8
BATCH_SIZES = (100, 500)

Row = tuple[str, str, str]


def _bodies(batch_size: int, total: int, tag: str) -> list[bytes]:
    """Request bodies as analytics-python builds them (its fields, a fresh messageId each)."""
    start = datetime(2026, 10, 1, tzinfo=UTC)
    bodies = []
    for b in range(total // batch_size):
        batch = []
        for i in range(batch_size):
            n = b * batch_size + i
            batch.append(
                {
                    "type": "track",
                    "event": ("Report Built", "Login", "Dashboard Viewed", "Export")[n % 4],
                    "userId": f"user-{n % 20_000}",
                    "properties": {"plan": "pro", "source": "web", "n": n},
                    "context": {
                        "groupId": f"S{n % ACCOUNTS:05d}",
                        "library": {"name": "analytics-python", "version": "2.4.0"},
                    },
                    "integrations": {},
                    "timestamp": (start + timedelta(seconds=n)).isoformat(timespec="milliseconds"),
                    "messageId": f"{tag}-{uuid.uuid4()}",
                    "anonymousId": None,
                }
            )
        bodies.append(json.dumps({"batch": batch, "sentAt": datetime.now(UTC).isoformat()}).encode())
    return bodies


def _send(args: tuple[int, str, list[bytes]]) -> int:
    """One client process: post its bodies one after the other; returns how many failed."""
    port, auth, bodies = args
    failed = 0
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Content-Type": "application/json", "Authorization": auth}
    for body in bodies:
        conn.request("POST", "/v1/batch", body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        if response.status != 200:
            failed += 1
        if response.getheader("Connection", "").lower() == "close":
            conn.close()
    conn.close()
    return failed


def _prepare() -> str:
    use_database(BENCH_DB)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE accounts_segmentmessage, accounts_segmentuseraccount, accounts_segmentwritekey, "
            "accounts_usageevent, accounts_changedusageday, accounts_sourceday, accounts_sourcerejection"
        )
    if Account.objects.count() != ACCOUNTS:
        Account.objects.all().delete()
        Account.objects.bulk_create(
            Account(external_id=f"S{n:05d}", name=f"Segment bench {n:05d}") for n in range(ACCOUNTS)
        )
    secret = write_key_create(name="bench", user=None)[1]
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return "Basic " + base64.b64encode(f"{secret}:".encode()).decode()


def _accept(port: int, auth: str, bodies: list[bytes]) -> tuple[float, int]:
    shares = [(port, auth, bodies[i::CLIENTS]) for i in range(CLIENTS)]
    _send((port, auth, bodies[:2]))  # both workers warm (imports, connections) before the clock starts
    with multiprocessing.get_context("fork").Pool(CLIENTS) as pool:
        started = time.perf_counter()
        failed = sum(pool.map(_send, shares))
        seconds = time.perf_counter() - started
    return seconds, failed


def bench_segment() -> list[Row]:
    auth = _prepare()
    rows: list[Row] = []
    mode = "queued fold" if settings.REDIS_URL else "eager fold in the request (no REDIS_URL)"
    with gunicorn(workers=2, threads=4) as port:
        for size in BATCH_SIZES:
            bodies = _bodies(size, EVENTS, tag=f"b{size}")
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM accounts_segmentmessage")
                (before,) = cursor.fetchone()
            seconds, failed = _accept(port, auth, bodies)
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM accounts_segmentmessage")
                (after,) = cursor.fetchone()
            stored = after - before - 2 * size  # less the warm-up's two batches
            rows.append(
                (
                    f"Segment accept, batches of {size}",
                    f"{stored / seconds:,.0f} events/s",
                    f"{stored:,} events in {len(bodies):,} requests, {CLIENTS} clients, gunicorn 2×4 threads, "
                    f"{mode}; {failed} failed; goal 20,000/s",
                )
            )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE accounts_segmentmessage")
        cursor.execute("SELECT count(*) FROM accounts_segmentmessage WHERE state = 'pending'")
        (pending,) = cursor.fetchone()
    started = time.perf_counter()
    folded = segment_fold()
    seconds = time.perf_counter() - started
    rows.append(
        (
            "Segment fold into usage",
            f"{folded / seconds:,.0f} events/s" if folded else "nothing to fold",
            f"{folded:,} of {pending:,} pending tracks in {seconds:.1f} s, rounds of 20,000",
        )
    )
    return rows
