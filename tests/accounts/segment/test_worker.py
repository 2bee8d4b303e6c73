"""With Redis, an accepted batch queues the fold on a real Celery worker (task_always_eager off): the request
only stores, the worker folds, and a burst of batches is folded without a message left behind."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connection
from django.test import Client
from pytest_django.fixtures import Settings

from accounts.models import SegmentMessage, SegmentState, UsageEvent
from accounts.segment.keys import write_key_create
from config.celery_app import app
from tests.accounts.segment.conftest import basic
from tests.factories import AccountFactory


@pytest.fixture
def worker(redis_url: str, settings: Settings) -> Iterator[None]:
    previous = {key: app.conf[key] for key in ("broker_url", "result_backend", "task_always_eager")}
    app.conf.update(broker_url=redis_url, result_backend=redis_url, task_always_eager=False)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    try:
        with start_worker(app, pool="threads", concurrency=2, perform_ping_check=False, shutdown_timeout=30):
            yield
    finally:
        app.conf.update(previous)
        with (
            connection.cursor() as cursor
        ):  # the worker threads' sessions, as tests/metrics/test_celery_worker.py
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_worker_folds_a_burst_of_batches(worker: None, client: Client) -> None:
    AccountFactory.create(external_id="ACME")
    auth = basic(write_key_create(name="Backend", user=None)[1])
    for b in range(5):
        batch = [
            {
                "type": "track",
                "messageId": f"m-{b}-{n}",
                "userId": f"u-{n}",
                "event": "Login",
                "timestamp": f"2025-03-04T10:{b:02d}:{n:02d}Z",
                "context": {"groupId": "ACME"},
            }
            for n in range(20)
        ]
        body = json.dumps({"batch": batch})
        response = client.generic("POST", "/v1/batch", body, "application/json", HTTP_AUTHORIZATION=auth)
        assert response.status_code == 200
    deadline = time.monotonic() + 60
    while UsageEvent.objects.count() < 100 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert UsageEvent.objects.count() == 100
    assert not SegmentMessage.objects.exclude(state=SegmentState.APPLIED).exists()
