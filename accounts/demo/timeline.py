"""The demo's three years of days, with what every row needs about a day precomputed once.

Datetimes of usage rows are written as local wall time plus the day's UTC offset in KEEL_TIMEZONE, so that the
weekly rhythm and "the day an event belongs to" are local, as METRICS.md counts them. Every time of day the demo
uses is 06:00 or later, which no daylight-saving transition reaches, so the offset at noon is the offset of the
row. Ticket and response datetimes add durations, so they are computed as UTC instants and written with `Z`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from accounts.months import add_months

HISTORY_MONTHS = 36
MONTHS_PER_INTERVAL = {"month": 1, "quarter": 3, "year": 12}
# Times of day are drawn from a sorted table of this many entries (a power of two: getrandbits picks one).
CLOCK_BITS = 11
CLOCK_SIZE = 1 << CLOCK_BITS
CLOCK_SLACK = 128
DAY_START = 6 * 3600


def term_end_after(*, starts_on: date, interval: str, day: date) -> date:
    """The first term end `starts_on + k × interval` (k ≥ 1) on or after `day` (METRICS.md renewals)."""
    months = MONTHS_PER_INTERVAL[interval]
    k = max(1, ((day.year - starts_on.year) * 12 + day.month - starts_on.month) // months)
    while add_months(starts_on, k * months) < day:
        k += 1
    while k > 1 and add_months(starts_on, (k - 1) * months) >= day:
        k -= 1
    return add_months(starts_on, k * months)


def month_start(day: date) -> date:
    return day.replace(day=1)


def _offset_suffix(offset: timedelta) -> str:
    seconds = int(offset.total_seconds())
    if seconds == 0:
        return "Z"
    sign = "+" if seconds > 0 else "-"
    hours, minutes = divmod(abs(seconds) // 60, 60)
    return f"{sign}{hours:02d}:{minutes:02d}"


@dataclass(frozen=True)
class Timeline:
    """Days `start` … `end` (inclusive), indexed from 0; tables have one extra entry for the day after `end`."""

    start: date
    end: date
    days: int
    prefixes: tuple[str, ...]  # "2025-03-04T"
    suffixes: tuple[str, ...]  # "Z" or "+01:00"
    # Per day, what ends a usage line after the time of day: tails[day][n] = suffix + ",n\n" (n ≤ 8); tails[day][0]
    # is the suffix and the comma, for counts above 8.
    tails: tuple[tuple[str, ...], ...]
    offsets: tuple[int, ...]  # UTC offset in seconds at local noon
    weekend: tuple[bool, ...]
    # Usage is lower around the turn of the year; 1.0 on ordinary days.
    season: tuple[float, ...]
    # CLOCK_SIZE sorted local times of day "HH:MM:SS" from DAY_START on, then CLOCK_SLACK copies of the last, so
    # that "a little later" (index + up to CLOCK_SLACK - 1) needs no bound check.
    clock: tuple[str, ...]
    clock_seconds: tuple[int, ...]
    cutoff: datetime  # naive UTC: the first instant after `end` in KEEL_TIMEZONE
    incidents: tuple[int, ...]  # day indexes of product outages that raise tickets across the base

    def index(self, day: date) -> int:
        return (day - self.start).days

    def day(self, index: int) -> date:
        return self.start + timedelta(days=index)

    def instant(self, index: int, seconds: int) -> datetime:
        """Naive UTC datetime of local `seconds` after midnight on day `index`."""
        return datetime(self.start.year, self.start.month, self.start.day) + timedelta(
            days=index, seconds=seconds - self.offsets[index]
        )


def timeline_build(*, end: date, time_zone: str, seed: int) -> Timeline:
    """The 36 months ending on `end`, as the demo sees them."""
    tz = ZoneInfo(time_zone)
    start = add_months(end, -HISTORY_MONTHS) + timedelta(days=1)
    days = (end - start).days + 1
    prefixes: list[str] = []
    suffixes: list[str] = []
    offsets: list[int] = []
    weekend: list[bool] = []
    season: list[float] = []
    for index in range(days + 1):
        day = start + timedelta(days=index)
        offset = datetime.combine(day, time(12), tzinfo=tz).utcoffset() or timedelta(0)
        prefixes.append(day.isoformat() + "T")
        suffixes.append(_offset_suffix(offset))
        offsets.append(int(offset.total_seconds()))
        weekend.append(day.weekday() >= 5)
        holidays = (day.month == 12 and day.day >= 24) or (day.month == 1 and day.day == 1)
        season.append(0.35 if holidays else 0.85 if day.month == 8 else 1.0)

    rng = random.Random(f"{seed}:clock")
    seconds: list[int] = []
    for _ in range(CLOCK_SIZE):
        # Office hours peak in the early afternoon; a tail of evening work.
        if rng.random() < 0.85:
            value = int(rng.gauss(13.5 * 3600, 2.6 * 3600))
        else:
            value = rng.randrange(DAY_START, 24 * 3600)
        seconds.append(min(max(value, DAY_START), 24 * 3600 - 1))
    seconds.sort()
    clock = tuple(f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in seconds)
    clock += (clock[-1],) * CLOCK_SLACK

    incidents = tuple(sorted(rng.sample(range(30, days), k=min(6, max(0, days - 30)))))
    cutoff = (
        datetime.combine(end + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC).replace(tzinfo=None)
    )
    return Timeline(
        start=start,
        end=end,
        days=days,
        prefixes=tuple(prefixes),
        suffixes=tuple(suffixes),
        tails=tuple((f"{suffix},", *(f"{suffix},{n}\n" for n in range(1, 9))) for suffix in suffixes),
        offsets=tuple(offsets),
        weekend=tuple(weekend),
        season=tuple(season),
        clock=clock,
        clock_seconds=tuple(seconds),
        cutoff=cutoff,
        incidents=incidents,
    )
