"""The snapshot pipeline: everything METRICS.md shows, for a range of days, from the raw facts.

`snapshot_compute` runs it in-process (the `snapshot` command, `make run`, tests); metrics/tasks.py runs the
same steps as Celery tasks, the daily chunks in parallel. Every step replaces its own rows in its own
transaction, so a failure leaves earlier snapshots intact and running a range twice gives identical rows.
Steps: usage rollups of stale days → daily chunks (days × accounts) and months side by side (the months read
the facts and the rollups, not the daily rows) → the months' health figures from the daily rows, the ledger,
every account as of the latest day, and retention.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import connections, transaction
from django.db.models import F, Max, Min
from django.utils import timezone

from accounts.models import User
from metrics import sql
from metrics.models import ComputedDay, SnapshotJob
from metrics.services.daily import Chunk, account_days_compute_chunk, account_days_expire, daily_chunks
from metrics.services.monthly import monthly_health_update, monthly_kpis_compute
from metrics.services.rollups import usage_rollups_refresh

# Months computed together: they share the points in time they read; groups run in parallel.
MONTHS_PER_STEP = 6


class SnapshotRangeError(ValueError):
    pass


@dataclass(frozen=True)
class SnapshotPlan:
    """What computing start…end writes: daily rows for `days` in `chunks`, KPI rows for `months` (first day,
    as_of)."""

    start: date
    end: date
    today: date
    days: tuple[date, ...]
    chunks: tuple[Chunk, ...]
    months: tuple[tuple[date, date], ...]

    @property
    def steps(self) -> int:
        return 1 + len(self.chunks) + len(self.months) + 1


def month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def days_between(start: date, end: date) -> Iterator[date]:
    day = start
    while day <= end:
        yield day
        day += timedelta(days=1)


def in_parallel(steps: Sequence[Callable[[], object]], *, jobs: int) -> None:
    """Run independent steps, `jobs` at a time, each thread on its own database connection (Django keeps one
    per thread); the work happens in PostgreSQL, so threads are enough. Re-raises the first failure."""
    if jobs <= 1 or len(steps) <= 1:
        for step in steps:
            step()
        return

    def run(step: Callable[[], object]) -> None:
        try:
            step()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        for future in [pool.submit(run, step) for step in steps]:
            future.result()


def snapshot_plan(*, start: date, end: date, today: date | None = None, parts: int = 1) -> SnapshotPlan:
    """Daily rows inside the retention window, month-end rows always; the months the range touches.

    A month is reported as of its last day, or as of the last computed day when that comes first (the current
    month, METRICS.md "Conventions").
    """
    from health.services import health_model_active

    today = today or timezone.localdate()
    if start > end:
        raise SnapshotRangeError(f"--from {start} is after --to {end}.")
    if end >= today:
        raise SnapshotRangeError(
            f"--to {end} is not over yet: the last day that can be computed is {today - timedelta(1)}."
        )
    keep_from = today - timedelta(days=settings.KEEL_DAILY_RETENTION_DAYS)
    days = tuple(day for day in days_between(start, end) if day >= keep_from or day == month_end(day))
    last_computed = ComputedDay.objects.aggregate(last=Max("day"))["last"]
    last_day = max(end, last_computed) if last_computed else end
    months = []
    month = start.replace(day=1)
    while month <= end:
        months.append((month, min(month_end(month), last_day)))
        month = month_end(month) + timedelta(days=1)
    chunks = tuple(daily_chunks(days=days, lookback_days=health_model_active().drop_days, parts=parts))
    return SnapshotPlan(start=start, end=end, today=today, days=days, chunks=chunks, months=tuple(months))


def snapshot_job_create(*, plan: SnapshotPlan, reason: str, by: User | None = None) -> SnapshotJob:
    return SnapshotJob.objects.create(
        reason=reason, requested_by=by, start=plan.start, end=plan.end, steps_total=plan.steps
    )


def snapshot_job_step(*, job_id: int | None, steps: int = 1) -> None:
    """Steps done (an UPDATE, so parallel workers never lose a count)."""
    if job_id is not None:
        SnapshotJob.objects.filter(pk=job_id).update(
            steps_done=F("steps_done") + steps, state=SnapshotJob.State.RUNNING
        )


def snapshot_job_end(*, job_id: int | None, error: str = "") -> None:
    if job_id is not None:
        SnapshotJob.objects.filter(pk=job_id).update(
            state=SnapshotJob.State.FAILED if error else SnapshotJob.State.DONE,
            error=error,
            finished_at=timezone.now(),
        )


def snapshot_finish(
    *, plan_start: date, plan_end: date, today: date, months: Sequence[tuple[date, date]]
) -> None:
    """The last step: the months' health figures from the daily rows, the ledger of computed days, every
    account as of the latest one, and daily rows past the retention window go."""
    monthly_health_update(months=months)
    ComputedDay.objects.bulk_create(
        [ComputedDay(day=day) for day in days_between(plan_start, plan_end)],
        update_conflicts=True,
        unique_fields=["day"],
        update_fields=["computed_at"],
    )
    latest = ComputedDay.objects.aggregate(last=Max("day"))["last"]
    with transaction.atomic():
        sql.run("current_accounts", day=latest)
    account_days_expire(today=today, retention_days=settings.KEEL_DAILY_RETENTION_DAYS)


def snapshot_compute(
    *,
    start: date,
    end: date,
    today: date | None = None,
    reason: str = "command",
    by: User | None = None,
    jobs: int | None = None,
) -> SnapshotPlan:
    """Compute every snapshot for the days start…end in-process (DESIGN.md `snapshot`); return the plan.

    `jobs` chunks at a time (default KEEL_PIPELINE_JOBS), each step after the one before it is complete.
    """
    jobs = jobs or settings.KEEL_PIPELINE_JOBS
    plan = snapshot_plan(start=start, end=end, today=today, parts=jobs)
    job = snapshot_job_create(plan=plan, reason=reason, by=by)

    def chunk_step(chunk: Chunk) -> Callable[[], None]:
        def step() -> None:
            account_days_compute_chunk(chunk=chunk)
            snapshot_job_step(job_id=job.pk)

        return step

    def months_step(months: tuple[tuple[date, date], ...]) -> Callable[[], None]:
        def step() -> None:
            monthly_kpis_compute(months=months)
            snapshot_job_step(job_id=job.pk, steps=len(months))

        return step

    try:
        usage_rollups_refresh(jobs=jobs)
        snapshot_job_step(job_id=job.pk)
        groups = [plan.months[i : i + MONTHS_PER_STEP] for i in range(0, len(plan.months), MONTHS_PER_STEP)]
        # Months first: a group of them is the longest single step of a nightly run.
        steps = [months_step(group) for group in groups] + [chunk_step(chunk) for chunk in plan.chunks]
        in_parallel(steps, jobs=jobs)
        snapshot_finish(plan_start=plan.start, plan_end=plan.end, today=plan.today, months=plan.months)
        snapshot_job_step(job_id=job.pk)
    except Exception as error:
        snapshot_job_end(job_id=job.pk, error=f"{type(error).__name__}: {error}")
        raise
    snapshot_job_end(job_id=job.pk)
    return plan


def missing_days(*, until: date, since: date | None = None) -> list[date]:
    """Days up to `until` without snapshots, from `since` (default: the first day any fact exists)."""
    if since is None:
        since = facts_first_day()
        if since is None:
            return []
    computed = set(ComputedDay.objects.filter(day__gte=since, day__lte=until).values_list("day", flat=True))
    return [day for day in days_between(since, until) if day not in computed]


def facts_first_day() -> date | None:
    """The first day of any subscription span: the pipeline's history starts there."""
    from accounts.models import SubscriptionSpan

    first: date | None = SubscriptionSpan.objects.aggregate(first=Min("starts_on"))["first"]
    return first
