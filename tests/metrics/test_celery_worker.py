"""The pipeline on a real Celery worker with the Redis broker of this machine (DESIGN.md "Data flow")."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connection
from django.utils import timezone

from accounts.models import BEGINNING_OF_TIME, Account, AccountOwnership, SubscriptionSpan, UsageEvent, User
from accounts.services import usage_days_changed
from config.celery_app import app
from health.models import AtRiskEpisode, BacktestChurner, BacktestRow, Task
from metrics.models import (
    AccountCurrent,
    AccountDay,
    ComputedDay,
    MonthlyKpi,
    PreviewRow,
    SnapshotJob,
    UsageUserDay,
)
from metrics.selectors import monthly_kpis
from metrics.services import daily
from metrics.services.pipeline import snapshot_compute, snapshot_job_enqueue


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


def _derived() -> dict[str, list[Any]]:
    """Every row the pipeline writes, without the timestamps of when it wrote them."""

    def rows(model: Any, *exclude: str) -> list[dict[str, Any]]:
        fields = [f.attname for f in model._meta.concrete_fields if f.attname not in exclude]
        return sorted(model.objects.values(*fields), key=repr)

    return {
        "account days": rows(AccountDay),
        "months": rows(MonthlyKpi, "id", "computed_at"),
        "current": rows(AccountCurrent),
        "computed days": sorted(ComputedDay.objects.values_list("day", flat=True)),
        "preview rows": rows(PreviewRow),
        "backtest rows": rows(BacktestRow, "id"),
        "backtest churners": rows(BacktestChurner),
        "user days": rows(UsageUserDay),
        "episodes": rows(AtRiskEpisode, "id"),
        "tasks": rows(Task, "id", "episode_id", "created_at"),
    }


def _forget_derived() -> None:
    """Back to the facts alone: what the pipeline wrote goes, and the usage journal names every day again."""
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE metrics_accountday, metrics_monthlykpi, metrics_accountcurrent, metrics_computedday, "
            "metrics_previewrow, health_backtestrow, health_backtestchurner, metrics_usageuserday, metrics_usageaccountday, "
            "metrics_usageeventday, metrics_firsteventday, health_task, health_atriskepisode, metrics_snapshotjob"
        )
    usage_days_changed(table="accounts_usageevent")


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_in_process_and_through_celery_the_plan_writes_the_same_rows_and_alerts(
    worker: None, csm: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One plan, two runners: the last 100 days up to yesterday with the nightly run's alerts, computed by
    `snapshot_compute` (threads of this process) and by `snapshot_job_enqueue` (a real worker, through Redis),
    from the same facts: every snapshot row, cached row, rollup, episode and task is the same. Several account
    chunks (one account each), so both runners split the work; one account never used (red: an alert)."""
    monkeypatch.setattr(daily, "SERIES_ROWS_PER_CHUNK", 150)
    yesterday = timezone.localdate() - timedelta(days=1)
    start = yesterday - timedelta(days=99)
    for n in range(4):
        account = Account.objects.create(external_id=f"R{n}", name=f"Run {n}", csm=csm, seats=3)
        AccountOwnership.objects.create(account=account, csm=csm, valid_from=BEGINNING_OF_TIME)
        SubscriptionSpan.objects.create(
            subscription_id=f"r{n}",
            account=account,
            amount=Decimal(100 * (n + 1)),
            interval="month",
            currency="USD",
            starts_on=start - timedelta(days=200),
            ends_on=yesterday - timedelta(days=20) if n == 2 else None,
        )
        for day in range(0, 100, 3 + n) if n != 3 else ():
            UsageEvent.objects.create(
                account=account,
                user_id=f"u{day % 2}",
                event="login",
                occurred_at=datetime.combine(start, datetime.min.time(), UTC) + timedelta(days=day, hours=12),
            )
    _forget_derived()

    snapshot_compute(start=start, end=yesterday, alerts=True, jobs=2)
    in_process = _derived()
    assert in_process["tasks"] and in_process["backtest rows"] and in_process["preview rows"]

    _forget_derived()
    job = snapshot_job_enqueue(start=start, end=yesterday, reason="backfill", alerts=True)
    deadline = time.monotonic() + 180
    while job.state not in (SnapshotJob.State.DONE, SnapshotJob.State.FAILED) and time.monotonic() < deadline:
        time.sleep(0.2)
        job.refresh_from_db()
    assert (job.state, job.error) == (SnapshotJob.State.DONE, "")
    through_celery = _derived()
    for name, rows in in_process.items():
        assert through_celery[name] == rows, name
