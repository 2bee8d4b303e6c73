"""Celery tasks of the pipeline: thin, idempotent, taking dates as ISO strings and calling services.

`snapshot_range_enqueue` splits a range the way DESIGN.md asks: rollups first, then the daily snapshots in
chunks of days (in parallel on as many workers as there are), then the months, then the ledger. The beat
schedule runs `snapshot_nightly` for yesterday.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from celery import chain, group, shared_task
from celery.result import AsyncResult
from django.conf import settings
from django.db import OperationalError
from django.utils import timezone

from metrics.services.daily import account_days_compute, account_days_expire
from metrics.services.monthly import monthly_kpis_compute
from metrics.services.pipeline import chunks, computed_days_record, snapshot_plan
from metrics.services.rollups import usage_rollups_refresh

_RETRY: dict[str, Any] = {
    "bind": True,
    "acks_late": True,
    "autoretry_for": (OperationalError,),
    "retry_backoff": 10,
    "max_retries": 5,
}


@shared_task(**_RETRY)
def usage_rollups_refresh_task(self: Any) -> int:
    return usage_rollups_refresh()


@shared_task(**_RETRY)
def account_days_task(self: Any, days: list[str]) -> int:
    account_days_compute(days=[date.fromisoformat(day) for day in days])
    return len(days)


@shared_task(**_RETRY)
def monthly_kpis_task(self: Any, months: list[tuple[str, str]]) -> int:
    monthly_kpis_compute(months=[(date.fromisoformat(m), date.fromisoformat(a)) for m, a in months])
    return len(months)


@shared_task(**_RETRY)
def snapshot_finish_task(self: Any, start: str, end: str) -> None:
    computed_days_record(start=date.fromisoformat(start), end=date.fromisoformat(end))
    account_days_expire(today=timezone.localdate(), retention_days=settings.KEEL_DAILY_RETENTION_DAYS)


def snapshot_range_enqueue(*, start: date, end: date) -> AsyncResult:
    """Queue the pipeline for start…end: rollups → daily chunks in parallel → months → ledger."""
    plan = snapshot_plan(start=start, end=end)
    day_chunks = [account_days_task.si([day.isoformat() for day in chunk]) for chunk in chunks(plan.days)]
    month_tasks = [monthly_kpis_task.si([(m.isoformat(), a.isoformat())]) for m, a in plan.months]
    steps: list[Any] = [usage_rollups_refresh_task.si()]
    if day_chunks:
        steps.append(group(day_chunks))
    if month_tasks:
        steps.append(group(month_tasks))
    steps.append(snapshot_finish_task.si(start.isoformat(), end.isoformat()))
    result: AsyncResult = chain(*steps).apply_async()
    return result


@shared_task(bind=True, acks_late=True)
def snapshot_nightly(self: Any) -> str:
    """Beat: compute yesterday (KEEL_TIMEZONE)."""
    yesterday = timezone.localdate() - timedelta(days=1)
    snapshot_range_enqueue(start=yesterday, end=yesterday)
    return yesterday.isoformat()
