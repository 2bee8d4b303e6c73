"""The pipeline on a real Celery worker with the Redis broker of this machine (DESIGN.md "Data flow")."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connection

from accounts.models import BEGINNING_OF_TIME, Account, AccountOwnership, SubscriptionSpan
from config.celery_app import app
from metrics.models import ComputedDay, MonthlyKpi, SnapshotJob
from metrics.selectors import monthly_kpis
from metrics.services.pipeline import snapshot_job_enqueue


@pytest.fixture
def worker(redis_url: str) -> Iterator[None]:
    previous = {key: app.conf[key] for key in ("broker_url", "result_backend", "task_always_eager")}
    app.conf.update(broker_url=redis_url, result_backend=redis_url, task_always_eager=False)
    try:
        with start_worker(app, pool="threads", concurrency=2, perform_ping_check=False, shutdown_timeout=30):
            yield
    finally:
        app.conf.update(previous)
        # The worker's threads are gone but their database sessions are not closed; the test database could
        # not be dropped at the end of the run.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_worker_computes_the_snapshots_it_is_sent(worker: None, admin_user: object) -> None:
    """$1,200/year from 2024-02-10 → February: new MRR 100.00, one customer; March: MRR 100.00, no movement.

    The range is split into a rollup task, a group of daily chunks, a group of months and a closing task,
    sent through Redis (task_always_eager is off here) and counted on the job as they finish.
    """
    account = Account.objects.create(external_id="W1", name="Worker Co")
    AccountOwnership.objects.create(account=account, valid_from=BEGINNING_OF_TIME)
    SubscriptionSpan.objects.create(
        subscription_id="w1",
        account=account,
        amount="1200.00",
        interval="year",
        currency="USD",
        starts_on=date(2024, 2, 10),
    )
    job = snapshot_job_enqueue(start=date(2024, 2, 1), end=date(2024, 3, 31), reason="backfill")
    deadline = time.monotonic() + 120
    while job.state not in (SnapshotJob.State.DONE, SnapshotJob.State.FAILED) and time.monotonic() < deadline:
        time.sleep(0.2)
        job.refresh_from_db()
    assert (job.state, job.error) == (SnapshotJob.State.DONE, "")
    assert job.steps_done == job.steps_total > 3  # rollups, daily chunk(s), months, finish

    assert ComputedDay.objects.filter(day__range=(date(2024, 2, 1), date(2024, 3, 31))).count() == 60
    assert MonthlyKpi.objects.filter(scope="company").count() == 2
    february, march = monthly_kpis(user=admin_user, start=date(2024, 2, 1), end=date(2024, 3, 1))  # type: ignore[arg-type]
    assert (february["new_mrr"], february["customers"]) == ("100.00", 1)
    assert (march["mrr"], march["new_mrr"], march["mrr_start"]) == ("100.00", "0.00", "100.00")
