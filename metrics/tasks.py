"""Celery tasks of the pipeline: thin, idempotent, taking ids and ISO dates and calling services.

`snapshot_job_enqueue` runs the steps of metrics.services.pipeline as a chain: the rollups, then every daily
chunk (a range of days × a range of accounts) and every group of months in parallel on as many workers as there
are, then the months' health figures and the ledger. Progress is counted on the SnapshotJob. Beat runs
`snapshot_nightly` for yesterday.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from celery import chain, group, shared_task
from django.conf import settings
from django.db import OperationalError
from django.utils import timezone

from accounts.models import User
from metrics.models import SnapshotJob
from metrics.services.daily import Chunk, DayRange, account_days_compute_chunk
from metrics.services.monthly import monthly_kpis_compute
from metrics.services.pipeline import (
    MONTHS_PER_STEP,
    snapshot_finish,
    snapshot_job_create,
    snapshot_job_end,
    snapshot_job_step,
    snapshot_plan,
)
from metrics.services.rollups import usage_rollups_refresh

_RETRY: dict[str, Any] = {
    "bind": True,
    "acks_late": True,
    "autoretry_for": (OperationalError,),
    "retry_backoff": 10,
    "max_retries": 5,
}


def _chunk_args(chunk: Chunk) -> dict[str, Any]:
    return {
        "lo": chunk.days.lo.isoformat(),
        "hi": chunk.days.hi.isoformat(),
        "kept": [day.isoformat() for day in chunk.days.kept],
        "account_lo": chunk.account_lo,
        "account_hi": chunk.account_hi,
        "dense": chunk.days.dense,
    }


def _months(months: list[tuple[str, str]]) -> list[tuple[date, date]]:
    return [(date.fromisoformat(month), date.fromisoformat(as_of)) for month, as_of in months]


@shared_task(**_RETRY)
def usage_rollups_refresh_task(self: Any, job_id: int | None = None) -> int:
    rebuilt = usage_rollups_refresh()
    snapshot_job_step(job_id=job_id)
    return rebuilt


@shared_task(**_RETRY)
def account_days_chunk_task(self: Any, chunk: dict[str, Any], job_id: int | None = None) -> None:
    days = DayRange(
        lo=date.fromisoformat(chunk["lo"]),
        hi=date.fromisoformat(chunk["hi"]),
        kept=tuple(date.fromisoformat(day) for day in chunk["kept"]),
        dense=chunk["dense"],
    )
    account_days_compute_chunk(
        chunk=Chunk(days=days, account_lo=chunk["account_lo"], account_hi=chunk["account_hi"])
    )
    snapshot_job_step(job_id=job_id)


@shared_task(**_RETRY)
def monthly_kpis_task(self: Any, months: list[tuple[str, str]], job_id: int | None = None) -> None:
    monthly_kpis_compute(months=_months(months))
    snapshot_job_step(job_id=job_id, steps=len(months))


@shared_task(**_RETRY)
def snapshot_finish_task(
    self: Any,
    start: str,
    end: str,
    today: str,
    months: list[tuple[str, str]],
    job_id: int | None = None,
    nightly: bool = False,
) -> None:
    snapshot_finish(
        plan_start=date.fromisoformat(start),
        plan_end=date.fromisoformat(end),
        today=date.fromisoformat(today),
        months=_months(months),
    )
    if nightly:
        # Only the nightly run for yesterday alerts CSMs; backfills and recomputes never do (health.services.alerts).
        from health.services import health_alerts_raise

        health_alerts_raise(day=date.fromisoformat(end))
    snapshot_job_step(job_id=job_id)
    snapshot_job_end(job_id=job_id)


@shared_task(bind=True)
def snapshot_job_failed_task(self: Any, request: Any, exc: Exception, traceback: Any, job_id: int) -> None:
    snapshot_job_end(job_id=job_id, error=f"{type(exc).__name__}: {exc}")


def snapshot_job_enqueue(
    *, start: date, end: date, reason: str, by: User | None = None, nightly: bool = False
) -> SnapshotJob:
    """Queue the pipeline for start…end and return its job (progress in steps_done / steps_total).

    `nightly` (only `snapshot_nightly`) raises the at-risk alerts of `end` once everything is stored."""
    plan = snapshot_plan(start=start, end=end, parts=settings.KEEL_PIPELINE_JOBS)
    job = snapshot_job_create(plan=plan, reason=reason, by=by)
    months = [(m.isoformat(), a.isoformat()) for m, a in plan.months]
    # The months and the daily chunks side by side (the months first: a group of them is the longest step).
    parallel = [
        monthly_kpis_task.si(months[index : index + MONTHS_PER_STEP], job_id=job.pk)
        for index in range(0, len(months), MONTHS_PER_STEP)
    ] + [account_days_chunk_task.si(_chunk_args(chunk), job_id=job.pk) for chunk in plan.chunks]
    chain(
        usage_rollups_refresh_task.si(job_id=job.pk),
        group(parallel),
        snapshot_finish_task.si(
            start.isoformat(), end.isoformat(), plan.today.isoformat(), months, job_id=job.pk, nightly=nightly
        ),
    ).apply_async(link_error=snapshot_job_failed_task.s(job_id=job.pk))
    return job


@shared_task(bind=True, acks_late=True)
def snapshot_nightly(self: Any) -> int:
    """Beat: compute yesterday (KEEL_TIMEZONE)."""
    yesterday = timezone.localdate() - timedelta(days=1)
    return snapshot_job_enqueue(start=yesterday, end=yesterday, reason="nightly", nightly=True).pk
