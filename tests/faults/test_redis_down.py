"""Redis down (a private redis-server, stopped by the test): pages are still served, Segment batches and API
writes are still stored in PostgreSQL, and once Redis is back the work that could not be queued is done: beat's
Segment sweep folds the stored batch, and the nightly run computes every day the ledger of computed days
lacks, not only yesterday (metrics.services.pipeline.nightly_start)."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection
from django.utils import timezone

from accounts.models import (
    BEGINNING_OF_TIME,
    AccountOwnership,
    SegmentMessage,
    SegmentState,
    SubscriptionSpan,
    UsageEvent,
    User,
)
from accounts.segment.keys import write_key_create
from accounts.tasks import segment_sweep_task
from metrics.models import AccountDay, ComputedDay, SnapshotJob
from metrics.selectors.jobs import DASHBOARD_REASON
from metrics.services.pipeline import snapshot_compute
from metrics.tasks import snapshot_nightly
from tests.accounts.segment.conftest import basic
from tests.conftest import PASSWORD, api_key, database_url
from tests.factories import AccountFactory
from tests.faults.conftest import PrivateRedis, celery_through, celery_worker, gunicorn, keel_env

pytestmark = pytest.mark.faults

WHEN = datetime(2025, 3, 4, 10, 0, tzinfo=UTC)


def _logged_in(url: str, user: User) -> requests.Session:
    # The server runs with Keel's own password hashers, not the tests' fast one.
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt())
    user.save(update_fields=["password"])
    session = requests.Session()
    session.get(f"{url}/login/", timeout=30)
    answer = session.post(
        f"{url}/login/",
        data={
            "username": user.email,
            "password": PASSWORD,
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        headers={"Referer": f"{url}/login/"},
        timeout=30,
    )
    assert answer.status_code == 200 and "/login/" not in answer.url, answer.status_code
    return session


@pytest.mark.django_db(transaction=True)
def test_with_redis_down_pages_and_ingestion_work_and_the_nightly_run_catches_up(
    private_redis: PrivateRedis, admin_user: User, tmp_path: Path, other_sessions_ended: None
) -> None:
    yesterday = timezone.localdate() - timedelta(days=1)
    account = AccountFactory.create(external_id="ACME", name="Acme Redis")
    AccountOwnership.objects.get_or_create(account=account, defaults={"valid_from": BEGINNING_OF_TIME})
    SubscriptionSpan.objects.create(
        subscription_id="r1",
        account=account,
        amount="1200.00",
        interval="year",
        currency="USD",
        starts_on=yesterday - timedelta(days=90),
    )
    # Snapshots up to three days ago: the nightly runs of the last two days were missed (Redis was down).
    snapshot_compute(start=yesterday - timedelta(days=40), end=yesterday - timedelta(days=2), jobs=1)
    write_key = write_key_create(name="Backend", user=None)[1]
    token = api_key(admin_user)
    env = keel_env(database_url=database_url(connection.settings_dict), redis_url=private_redis.url)

    with gunicorn(env, log=tmp_path / "access.log") as url:
        browser = _logged_in(url, admin_user)
        private_redis.stop()
        for page in (
            "/dashboard/",
            "/accounts/",
            f"/accounts/{account.pk}/",
            "/health/model/",
            "/data/sources/",
        ):
            answer = browser.get(f"{url}{page}", timeout=60)
            assert answer.status_code == 200, (page, answer.status_code)
        assert "Acme Redis" in browser.get(f"{url}/accounts/", timeout=60).text
        # A recompute asked for from a page cannot be queued: the page answers, and the run says why.
        days = {"start": str(yesterday - timedelta(days=5)), "end": str(yesterday - timedelta(days=4))}
        answer = browser.post(
            f"{url}/snapshots/",
            data={**days, "next": "/dashboard/", "csrfmiddlewaretoken": browser.cookies["csrftoken"]},
            timeout=60,
        )
        assert answer.status_code == 200 and answer.url.endswith("/dashboard/"), answer.status_code
        refused = SnapshotJob.objects.get(reason=DASHBOARD_REASON)
        assert refused.state == SnapshotJob.State.FAILED
        assert refused.error.startswith("The task queue did not take the run (Redis")

        batch = [
            {
                "type": "track",
                "messageId": "redis-down-1",
                "userId": "u-1",
                "event": "Report Built",
                "timestamp": WHEN.isoformat(),
                "context": {"groupId": "ACME"},
            }
        ]
        answer = requests.post(
            f"{url}/v1/batch",
            data=json.dumps({"batch": batch}),
            headers={"Authorization": basic(write_key), "Content-Type": "application/json"},
            timeout=60,
        )
        assert (answer.status_code, answer.json()) == (200, {"success": True})
        event = {"account_id": "ACME", "user_id": "u-2", "event": "Exported", "occurred_at": WHEN.isoformat()}
        answer = requests.post(
            f"{url}/api/v1/usage/",
            json={"events": [event]},
            headers={"Authorization": f"Token {token}"},
            timeout=60,
        )
        assert answer.status_code in (200, 201), answer.text
    # Durable: in PostgreSQL, though nothing could be queued.
    assert SegmentMessage.objects.get(message_id="redis-down-1").state == SegmentState.PENDING
    assert UsageEvent.objects.filter(event="Exported").count() == 1

    private_redis.start()  # Redis is back: beat's next sweep and nightly run go through a worker
    with celery_through(private_redis.url), celery_worker(env, concurrency=1):
        assert segment_sweep_task.delay().get(timeout=120) >= 1
        job = SnapshotJob.objects.get(pk=snapshot_nightly.delay().get(timeout=120))
        deadline = time.monotonic() + 180
        while job.state not in (SnapshotJob.State.DONE, SnapshotJob.State.FAILED):
            assert time.monotonic() < deadline, "the nightly run did not finish"
            time.sleep(0.2)
            job.refresh_from_db()
    assert (job.state, job.error) == (SnapshotJob.State.DONE, "")
    assert (job.start, job.end) == (yesterday - timedelta(days=1), yesterday)  # the missed days, not one
    assert UsageEvent.objects.filter(event="Report Built", account=account).count() == 1
    computed = set(ComputedDay.objects.values_list("day", flat=True))
    assert {yesterday - timedelta(days=1), yesterday} <= computed
    assert AccountDay.objects.filter(account=account, day__gte=yesterday - timedelta(days=1)).count() == 2
