"""Reads for the Data sources page (admins): what each source of data delivered day by day in the last 30 days,
when it last did, whether it has gone quiet for longer than usual (docs/METRICS.md "A source gone quiet"), and
the latest refusals with their reasons. Two small queries whatever the volume: the counts are kept per source
and day (accounts.models.sources).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Max, Sum
from django.utils import timezone

from accounts.models import DataSource, SourceDay, SourceRejection

SOURCE_DAYS = 30  # the days the page shows
QUIET_FACTOR = 2  # quiet for longer than this many of its usual gaps…
QUIET_MIN_DAYS = 2  # …and for more than this many days
QUIET_MIN_DATA_DAYS = 3  # a source needs this many days with data in its last 30 to have a "usual"
QUIET_LOOKBACK_DAYS = 366  # how far back the page looks for a source's last days with data


@dataclass(frozen=True)
class SourceActivity:
    """One source on the page: its days (oldest first, every day of the window), totals, last record, quiet."""

    source: DataSource
    days: list[date]
    accepted: list[int]
    rejected: list[int]
    last_at: datetime | None
    quiet_days: int | None  # days since its last day with accepted records, when that is longer than usual
    usual_gap: int | None  # the longest gap between its days with data, the "usual" it is compared with

    @property
    def accepted_total(self) -> int:
        return sum(self.accepted)

    @property
    def rejected_total(self) -> int:
        return sum(self.rejected)

    @property
    def label(self) -> str:
        return str(self.source.label)


@dataclass(frozen=True)
class SourceDayCount:
    """What a source accepted and refused on a day, summed over the day's slots, and when its last record came."""

    source: str
    day: date
    accepted: int
    rejected: int
    last_at: datetime


def source_days(*, source: str | None = None, since: date | None = None) -> list[SourceDayCount]:
    """The days of every source (or of `source`), from `since` on, ordered by source and day."""
    rows = SourceDay.objects.all()
    if source is not None:
        rows = rows.filter(source=source)
    if since is not None:
        rows = rows.filter(day__gte=since)
    summed = rows.values("source", "day").annotate(
        accepted_sum=Sum("accepted"), rejected_sum=Sum("rejected"), last=Max("last_at")
    )
    return [
        SourceDayCount(row["source"], row["day"], row["accepted_sum"], row["rejected_sum"], row["last"])
        for row in summed.order_by("source", "day")
    ]


def source_quiet_days(data_days: list[date], today: date) -> tuple[int | None, int | None]:
    """(days quiet, usual gap) of a source that accepted records on `data_days` (any order): its usual gap is
    the longest between consecutive data days among those of the SOURCE_DAYS days ending on its last data day;
    it is quiet when today − that last day > max(QUIET_MIN_DAYS, QUIET_FACTOR × the usual gap). (None, gap)
    when it is not quiet, (None, None) with fewer than QUIET_MIN_DATA_DAYS days to tell."""
    if not data_days:
        return None, None
    last = max(data_days)
    days = sorted({day for day in data_days if (last - day).days < SOURCE_DAYS})
    if len(days) < QUIET_MIN_DATA_DAYS:
        return None, None
    gap = max((later - earlier).days for earlier, later in itertools.pairwise(days))
    quiet = (today - days[-1]).days
    return (quiet if quiet > max(QUIET_MIN_DAYS, QUIET_FACTOR * gap) else None), gap


def source_activity(*, today: date | None = None) -> list[SourceActivity]:
    """Every source (DataSource order), over the SOURCE_DAYS days ending today (KEEL_TIMEZONE)."""
    today = today or timezone.localdate()
    first = today - timedelta(days=SOURCE_DAYS - 1)
    days = [first + timedelta(days=n) for n in range(SOURCE_DAYS)]
    # The days of the last year: a few thousand rows at most, whatever the volume of data, so that a source
    # silent for longer than the window still has its usual gap and its last day.
    counts: dict[tuple[str, date], tuple[int, int]] = {}
    data_days: dict[str, list[date]] = {}
    last_at: dict[str, datetime] = {}
    for row in source_days(since=today - timedelta(days=QUIET_LOOKBACK_DAYS - 1)):
        if row.day > today:
            continue
        counts[row.source, row.day] = (row.accepted, row.rejected)
        if row.accepted:
            data_days.setdefault(row.source, []).append(row.day)
        last_at[row.source] = max(row.last_at, last_at.get(row.source, row.last_at))
    activities = []
    for source in DataSource:
        quiet, gap = source_quiet_days(data_days.get(source.value, []), today)
        activities.append(
            SourceActivity(
                source=source,
                days=days,
                accepted=[counts.get((source.value, day), (0, 0))[0] for day in days],
                rejected=[counts.get((source.value, day), (0, 0))[1] for day in days],
                last_at=last_at.get(source.value),
                quiet_days=quiet,
                usual_gap=gap,
            )
        )
    return activities


def source_rejections_recent(*, limit: int = 25) -> list[SourceRejection]:
    """The latest refusals of every source, newest first."""
    return list(SourceRejection.objects.order_by("-received_at", "-id")[:limit])
