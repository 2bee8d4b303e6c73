"""The snapshot pipeline: everything METRICS.md shows, for a range of days, from the raw facts, as one plan.

`snapshot_plan` describes a run as stages of steps, each step a JSON object (its name and its arguments), so the
same plan runs in this process (`snapshot_compute`: the `snapshot` command, `make run`, tests) and through Celery
(`snapshot_job_enqueue`: the nightly run, a recompute from the Health page, backfills), where one generic task
runs any step (metrics.tasks.snapshot_step_task). The steps of a stage are independent and run side by side;
a stage starts when the one before it is complete:

1. the usage rollups of the days whose events changed;
2. the daily chunks (days × accounts) and the months, side by side (the months read the facts and the rollups,
   not the daily rows);
3. the months' health figures from the daily rows, the ledger of computed days, every account as of the latest
   day, retention;
4. the rows the Health page re-weights (its preview and the backtest);
4b. the renewal forecast's rows and rates (they read the backtest's rows);
5. for the nightly run only, the at-risk alerts of the day.

Every step replaces its own rows in its own transaction, so a failure leaves earlier snapshots intact and running a
range twice gives identical rows. Progress is counted on the run's SnapshotJob, step by step.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from typing import Any

from celery import chain, group
from django.conf import settings
from django.db import transaction
from django.db.models import Case, F, Max, Min, Q, Value, When
from django.db.models.functions import Now
from django.utils import timezone

from accounts.models import SubscriptionSpan, User
from accounts.months import days_between, month_end
from accounts.queue import broker_available
from accounts.sql import sql_step
from health.models import stage_params
from health.selectors import health_model_active
from metrics.models import ComputedDay, SnapshotJob
from metrics.services.daily import Chunk, account_days_compute_chunk, account_days_expire, daily_chunks
from metrics.services.health_steps import health_alerts_step, health_caches_refresh
from metrics.services.monthly import monthly_health_update, monthly_kpis_compute
from metrics.services.renewals import renewal_forecast_refresh
from metrics.services.rollups import usage_rollups_refresh
from metrics.services.threads import in_parallel
from metrics.sql import files
from metrics.tasks import snapshot_job_failed_task, snapshot_step_task

logger = logging.getLogger(__name__)

# Months computed together: they share the points in time they read; groups run in parallel.
MONTHS_PER_STEP = 6

Step = dict[str, Any]  # {"step": name, "weight": progress it counts, ...its arguments}: JSON-safe


class SnapshotRangeError(ValueError):
    pass


def _months(months: list[list[str]]) -> list[tuple[date, date]]:
    return [(date.fromisoformat(month), date.fromisoformat(as_of)) for month, as_of in months]


def _rollups(*, jobs: int) -> None:
    usage_rollups_refresh(jobs=jobs)


def _account_days(**chunk: Any) -> None:
    account_days_compute_chunk(chunk=Chunk.of(chunk))


def _monthly_kpis(*, months: list[list[str]]) -> None:
    monthly_kpis_compute(months=_months(months))


def _finish(*, start: str, end: str, today: str, months: list[list[str]]) -> None:
    """The months' health figures from the daily rows, the ledger of computed days, every account as of the
    latest one, and daily rows past the retention window go."""
    monthly_health_update(months=_months(months))
    ComputedDay.objects.bulk_create(
        [ComputedDay(day=day) for day in days_between(date.fromisoformat(start), date.fromisoformat(end))],
        update_conflicts=True,
        unique_fields=["day"],
        update_fields=["computed_at"],
    )
    latest = ComputedDay.objects.aggregate(last=Max("day"))["last"]
    with transaction.atomic(), sql_step() as step:
        step.run(files, "current_accounts", day=latest, **stage_params())
    account_days_expire(today=date.fromisoformat(today), retention_days=settings.KEEL_DAILY_RETENTION_DAYS)


def _health_caches(*, start: str, end: str) -> None:
    health_caches_refresh(start=date.fromisoformat(start), end=date.fromisoformat(end))


def _renewal_forecast() -> None:
    renewal_forecast_refresh()


def _alerts(*, day: str) -> None:
    health_alerts_step(day=date.fromisoformat(day))


STEPS: dict[str, Callable[..., None]] = {
    "usage_rollups": _rollups,
    "account_days": _account_days,
    "monthly_kpis": _monthly_kpis,
    "finish": _finish,
    "health_caches": _health_caches,
    "renewal_forecast": _renewal_forecast,
    "alerts": _alerts,
}


@dataclass(frozen=True)
class SnapshotPlan:
    """What computing start…end does: `stages` of steps (JSON objects); `days` and `months` it writes."""

    start: date
    end: date
    today: date
    days: int
    months: int
    stages: tuple[tuple[Step, ...], ...]

    @property
    def steps(self) -> int:
        """The progress the whole plan counts (SnapshotJob.steps_total)."""
        return sum(step["weight"] for stage in self.stages for step in stage)


def _step(name: str, args: dict[str, Any], *, weight: int = 1) -> Step:
    return {"step": name, "weight": weight, **args}


def snapshot_plan(
    *, start: date, end: date, today: date | None = None, parts: int = 1, alerts: bool = False
) -> SnapshotPlan:
    """The plan of start…end: daily rows inside the retention window, month-end rows always, the months the
    range touches; `parts` account ranges at least for each range of days (as many workers get work); the
    at-risk alerts of `end` when `alerts` (the nightly run only: backfills and recomputes never alert).

    A month is reported as of its last day, or as of the last computed day when that comes first (the current
    month, METRICS.md "Conventions").
    """
    today = today or timezone.localdate()
    if start > end:
        raise SnapshotRangeError(f"--from {start} is after --to {end}.")
    if end >= today:
        raise SnapshotRangeError(
            f"--to {end} is not over yet: the last day that can be computed is {today - timedelta(1)}."
        )
    keep_from = today - timedelta(days=settings.KEEL_DAILY_RETENTION_DAYS)
    days = [day for day in days_between(start, end) if day >= keep_from or day == month_end(day)]
    last_computed = ComputedDay.objects.aggregate(last=Max("day"))["last"]
    last_day = max(end, last_computed) if last_computed else end
    months: list[list[str]] = []
    month = start.replace(day=1)
    while month <= end:
        months.append([month.isoformat(), min(month_end(month), last_day).isoformat()])
        month = month_end(month) + timedelta(days=1)
    chunks = daily_chunks(days=days, lookback_days=health_model_active().drop_days, parts=parts)
    span = {"start": start.isoformat(), "end": end.isoformat()}
    stages: list[tuple[Step, ...]] = [
        (_step("usage_rollups", {"jobs": parts}),),
        # Months first: a group of them is the longest single step of a nightly run.
        (
            *(
                _step("monthly_kpis", {"months": group}, weight=len(group))
                for group in (months[i : i + MONTHS_PER_STEP] for i in range(0, len(months), MONTHS_PER_STEP))
            ),
            *(_step("account_days", chunk.args()) for chunk in chunks),
        ),
        (_step("finish", {"today": today.isoformat(), "months": months, **span}),),
        (_step("health_caches", span),),
        (_step("renewal_forecast", {}),),  # reads the backtest rows health_caches keeps
    ]
    if alerts:
        stages.append((_step("alerts", {"day": end.isoformat()}),))
    return SnapshotPlan(
        start=start, end=end, today=today, days=len(days), months=len(months), stages=tuple(stages)
    )


def snapshot_step_run(*, step: Step, job_id: int | None) -> None:
    """Run one step of a plan and count it on the job (which is done once every step is)."""
    args = {key: value for key, value in step.items() if key not in ("step", "weight")}
    STEPS[step["step"]](**args)
    snapshot_job_step(job_id=job_id, steps=step["weight"])


def snapshot_job_create(*, plan: SnapshotPlan, reason: str, by: User | None = None) -> SnapshotJob:
    return SnapshotJob.objects.create(
        reason=reason, requested_by=by, start=plan.start, end=plan.end, steps_total=plan.steps
    )


def snapshot_job_step(*, job_id: int | None, steps: int = 1) -> None:
    """Steps done: one UPDATE, so parallel workers never lose a count; the last one marks the job done."""
    if job_id is None:
        return
    done = Q(steps_done__gte=F("steps_total") - steps)  # read before this UPDATE adds the steps
    SnapshotJob.objects.filter(pk=job_id).update(
        steps_done=F("steps_done") + steps,
        state=Case(When(done, then=Value(SnapshotJob.State.DONE)), default=Value(SnapshotJob.State.RUNNING)),
        finished_at=Case(When(done, then=Now()), default=F("finished_at")),
    )


def snapshot_job_end(*, job_id: int | None, error: str, wrapped: bool = False) -> None:
    """A failed run: the job says why. A `wrapped` error (a chord's, around the failure of a step of its group)
    never replaces the step's own, which Celery reports too, before or after it."""
    if job_id is not None:
        jobs = SnapshotJob.objects.filter(pk=job_id)
        if wrapped:
            jobs = jobs.exclude(state=SnapshotJob.State.FAILED)
        jobs.update(state=SnapshotJob.State.FAILED, error=error, finished_at=timezone.now())


def snapshot_compute(
    *,
    start: date,
    end: date,
    today: date | None = None,
    reason: str = "command",
    by: User | None = None,
    jobs: int | None = None,
    alerts: bool = False,
) -> SnapshotPlan:
    """Run the plan of start…end in this process (DESIGN.md `snapshot`), `jobs` steps of a stage at a time
    (default KEEL_PIPELINE_JOBS); return the plan."""
    jobs = jobs or settings.KEEL_PIPELINE_JOBS
    plan = snapshot_plan(start=start, end=end, today=today, parts=jobs, alerts=alerts)
    job = snapshot_job_create(plan=plan, reason=reason, by=by)
    try:
        for stage in plan.stages:
            in_parallel([partial(snapshot_step_run, step=step, job_id=job.pk) for step in stage], jobs=jobs)
    except Exception as error:
        snapshot_job_end(job_id=job.pk, error=f"{type(error).__name__}: {error}")
        raise
    return plan


def snapshot_job_enqueue(
    *, start: date, end: date, reason: str, by: User | None = None, alerts: bool = False
) -> SnapshotJob:
    """Queue the plan of start…end as Celery tasks once the caller's transaction commits, and return its job
    (progress in steps_done / steps_total). The steps of a stage run as a group on as many workers as there
    are; a stage waits for the one before it."""
    plan = snapshot_plan(start=start, end=end, parts=settings.KEEL_PIPELINE_JOBS, alerts=alerts)
    job = snapshot_job_create(plan=plan, reason=reason, by=by)

    def task(step: Step) -> Any:
        return snapshot_step_task.si(step=step, job_id=job.pk)

    stages = [task(stage[0]) if len(stage) == 1 else group(map(task, stage)) for stage in plan.stages]
    failed = snapshot_job_failed_task.s(job_id=job.pk)
    run = chain(*stages)

    def snapshot_job_send() -> None:
        # The broker (Redis) away: the job says so instead of waiting for ever, and the caller (a page, beat)
        # still answers, at once. The next nightly run catches up on the days the ledger lacks.
        if not broker_available():
            snapshot_job_end(
                job_id=job.pk, error="The task queue did not take the run (Redis is not answering)."
            )
            return
        try:
            run.apply_async(link_error=failed)
        except Exception as error:  # it went away in between: kombu's, redis's or the result store's error
            logger.exception("The snapshot run %s could not be queued", job.pk)
            snapshot_job_end(job_id=job.pk, error=f"The task queue did not take the run (Redis): {error}")

    transaction.on_commit(snapshot_job_send)
    return job


def nightly_start(*, yesterday: date) -> date:
    """The first day the nightly run computes: yesterday, or the day after the latest computed day when runs
    were missed (Redis, beat or the workers were down), so the run that comes back catches up on what the
    ledger of computed days lacks. Its alerts are yesterday's only (README "Decisions")."""
    last: date | None = ComputedDay.objects.filter(day__lt=yesterday).aggregate(last=Max("day"))["last"]
    return min(last + timedelta(days=1), yesterday) if last else yesterday


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
    first: date | None = SubscriptionSpan.objects.aggregate(first=Min("starts_on"))["first"]
    return first
