"""The snapshot pipeline: everything METRICS.md shows, for a range of days, from the raw facts.

`snapshot_compute` runs it synchronously (the `snapshot` command, `make run`, tests); metrics/tasks.py runs the
same steps as Celery tasks split into chunks. Every step replaces its own rows in its own transaction, so a
failure leaves earlier snapshots intact and running a range twice gives identical rows.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Max, Min
from django.utils import timezone

from metrics.models import ComputedDay
from metrics.services.daily import account_days_compute, account_days_expire
from metrics.services.monthly import monthly_kpis_compute
from metrics.services.rollups import usage_rollups_refresh

# Days per daily-snapshot statement: bounds the working set of one statement and of one Celery task.
DAYS_PER_CHUNK = 31


class SnapshotRangeError(ValueError):
    pass


@dataclass(frozen=True)
class SnapshotPlan:
    """What computing [start, end] writes: daily rows for `days`, KPI rows for `months` (first day, as_of)."""

    start: date
    end: date
    days: tuple[date, ...]
    months: tuple[tuple[date, date], ...]


def month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def days_between(start: date, end: date) -> Iterator[date]:
    day = start
    while day <= end:
        yield day
        day += timedelta(days=1)


def snapshot_plan(*, start: date, end: date, today: date | None = None) -> SnapshotPlan:
    """Daily rows inside the retention window, month-end rows always; the months the range touches.

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
    days = tuple(day for day in days_between(start, end) if day >= keep_from or day == month_end(day))
    last_computed = ComputedDay.objects.aggregate(last=Max("day"))["last"]
    last_day = max(end, last_computed) if last_computed else end
    months = []
    month = start.replace(day=1)
    while month <= end:
        months.append((month, min(month_end(month), last_day)))
        month = month_end(month) + timedelta(days=1)
    return SnapshotPlan(start=start, end=end, days=days, months=tuple(months))


def chunks(days: tuple[date, ...], size: int = DAYS_PER_CHUNK) -> Iterator[tuple[date, ...]]:
    for index in range(0, len(days), size):
        yield days[index : index + size]


def snapshot_compute(*, start: date, end: date, today: date | None = None) -> SnapshotPlan:
    """Compute every snapshot for the days start…end (DESIGN.md `snapshot`) and return what was written."""
    today = today or timezone.localdate()
    plan = snapshot_plan(start=start, end=end, today=today)
    usage_rollups_refresh()
    for chunk in chunks(plan.days):
        account_days_compute(days=chunk)
    monthly_kpis_compute(months=plan.months)
    computed_days_record(start=start, end=end)
    account_days_expire(today=today, retention_days=settings.KEEL_DAILY_RETENTION_DAYS)
    return plan


def computed_days_record(*, start: date, end: date) -> None:
    ComputedDay.objects.bulk_create(
        [ComputedDay(day=day) for day in days_between(start, end)],
        update_conflicts=True,
        unique_fields=["day"],
        update_fields=["computed_at"],
    )


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
