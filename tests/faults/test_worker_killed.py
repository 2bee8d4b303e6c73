"""A Celery worker process killed (SIGKILL) in the middle of a backfill: the step it was running goes back to
the queue (acks_late + reject_on_worker_lost, metrics.tasks.snapshot_step_task), runs again on the pool's new
process, and the run ends with exactly the rows of a clean run."""

from __future__ import annotations

import os
import signal
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import psycopg
import pytest
import redis
from django.db import connection
from django.utils import timezone

from accounts.models import BEGINNING_OF_TIME, Account, AccountOwnership, SubscriptionSpan, UsageEvent, User
from metrics.models import SnapshotJob
from metrics.services import daily
from metrics.services.pipeline import snapshot_compute, snapshot_job_enqueue
from tests.conftest import database_url
from tests.faults.conftest import celery_through, celery_worker, keel_env, pool_children, wait_until
from tests.metrics.test_celery_worker import _derived, _forget_derived

pytestmark = [pytest.mark.faults, pytest.mark.redis]

# The backends of the test database waiting for a lock on the daily rows (the step the test holds up).
WAITING = """
    SELECT a.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
    WHERE NOT l.granted AND l.relation = 'metrics_accountday'::regclass AND a.datname = current_database()
"""


def _waiting() -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute(WAITING)
        return {pid for (pid,) in cursor.fetchall()}


@pytest.mark.django_db(transaction=True)
def test_a_step_whose_worker_is_killed_runs_again_and_the_rows_are_a_clean_runs(
    redis_url: str, csm: User, monkeypatch: pytest.MonkeyPatch, other_sessions_ended: None
) -> None:
    """60 days of 4 accounts, split into several daily chunks. The test holds an EXCLUSIVE lock on the daily
    rows' table, so the first chunk a worker runs waits inside its transaction: that is "mid-backfill",
    found by its lock, not by timing. SIGKILL to that pool process; the chunk must come back on a new one
    (seen waiting for the same lock again) before the lock goes. Then the run finishes, and every row of
    AccountDay, MonthlyKpi, AccountCurrent (and every other table the pipeline writes) equals a clean run's."""
    monkeypatch.setattr(daily, "SERIES_ROWS_PER_CHUNK", 100)
    yesterday = timezone.localdate() - timedelta(days=1)
    start = yesterday - timedelta(days=59)
    for n in range(4):
        account = Account.objects.create(external_id=f"K{n}", name=f"Killed {n}", csm=csm, seats=3)
        AccountOwnership.objects.create(account=account, csm=csm, valid_from=BEGINNING_OF_TIME)
        SubscriptionSpan.objects.create(
            subscription_id=f"k{n}",
            account=account,
            amount=Decimal(100 * (n + 1)),
            interval="month",
            currency="USD",
            starts_on=start - timedelta(days=100),
            ends_on=yesterday - timedelta(days=10) if n == 2 else None,
        )
        for day in range(0, 60, 2 + n):
            UsageEvent.objects.create(
                account=account,
                user_id=f"u{day % 3}",
                event="login",
                occurred_at=datetime.combine(start, datetime.min.time(), UTC) + timedelta(days=day, hours=9),
            )
    _forget_derived()
    snapshot_compute(start=start, end=yesterday, jobs=1)
    clean = _derived()
    assert clean["account days"] and clean["months"] and clean["current"]
    _forget_derived()

    redis.Redis.from_url(redis_url).flushdb()  # this test's Redis database: nothing queued from before
    env = keel_env(database_url=database_url(connection.settings_dict), redis_url=redis_url)
    locker = psycopg.connect(database_url(connection.settings_dict))
    try:
        locker.execute("LOCK TABLE metrics_accountday IN EXCLUSIVE MODE")
        with celery_through(redis_url), celery_worker(env, concurrency=1) as worker:
            job = snapshot_job_enqueue(start=start, end=yesterday, reason="backfill")
            (first,) = wait_until(_waiting, timeout=120, what="a daily chunk waiting for the held lock")
            job.refresh_from_db()
            assert 0 < job.steps_done < job.steps_total  # the rollups are done, the chunks are not
            assert job.steps_total - job.steps_done > 2  # chunks, finish, caches, forecast are left

            (child,) = pool_children(worker)
            os.kill(child, signal.SIGKILL)
            # The killed process's session still waits (PostgreSQL learns its client is gone only when it
            # next writes to it); the chunk's second run is a new session, from the pool's new process.
            again = wait_until(
                lambda: _waiting() - {first}, timeout=120, what="the chunk running again on a new process"
            )
            assert pool_children(worker) != [child] and len(again) == 1

            locker.rollback()  # the lock goes: the killed session fails, the rerun goes on
            deadline = time.monotonic() + 180
            while job.state not in (SnapshotJob.State.DONE, SnapshotJob.State.FAILED):
                assert time.monotonic() < deadline, "the run did not finish"
                time.sleep(0.2)
                job.refresh_from_db()
    finally:
        locker.close()
    assert (job.state, job.error) == (SnapshotJob.State.DONE, "")
    assert job.steps_done == job.steps_total  # the rerun step counted once: it counts only when it commits
    after_the_kill = _derived()
    for name, rows in clean.items():
        assert after_the_kill[name] == rows, name
