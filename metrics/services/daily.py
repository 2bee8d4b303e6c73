"""Daily per-account snapshots (metrics_accountday): revenue, owner, usage and health of every paying or used account.

Long runs of days are computed as dense series (metrics/sql/daily_series.sql: one pass over the rollups however
long the run), a few scattered days each from its own windows (daily_points.sql); both give the same rows.
Ranges of accounts are independent, so the pipeline hands them to different workers (metrics.services.pipeline
plans them as steps).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from accounts.models import Account
from accounts.sql import set_local, sql_step
from health.selectors import health_model_active
from health.services import health_scores_compute
from metrics.sql import files

# Rows of _series (accounts × days) per statement: bounds the temp tables of one chunk and of one task.
SERIES_ROWS_PER_CHUNK = 3_000_000
# A run of consecutive kept days this long or longer is computed as a dense series; fewer days (the nightly
# day, month-ends beyond the retention window) each from their own windows, which costs less for them.
DENSE_MIN_DAYS = 8
# Sorts and hashes of one chunk stay in memory instead of spilling to disk (one pipeline statement at a time per
# worker, so this is per worker, not per connection of the web app).
PIPELINE_WORK_MEM = "256MB"


@dataclass(frozen=True)
class DayRange:
    """Days to store (`kept`) and the days computed for them: lo … hi densely, or `kept` and each kept day −
    the drop rule's lookback (the health of d compares with d − drop_days)."""

    lo: date
    hi: date
    kept: tuple[date, ...]
    dense: bool

    def computed_days(self, lookback_days: int) -> int:
        if self.dense:
            return (self.hi - self.lo).days + 30
        return len({*self.kept, *(day - timedelta(days=lookback_days) for day in self.kept)})


@dataclass(frozen=True)
class Chunk:
    """One range of days for one range of accounts: a step of the pipeline."""

    days: DayRange
    account_lo: int
    account_hi: int

    def args(self) -> dict[str, Any]:
        """As a pipeline step's JSON arguments."""
        return {
            "lo": self.days.lo.isoformat(),
            "hi": self.days.hi.isoformat(),
            "kept": [day.isoformat() for day in self.days.kept],
            "dense": self.days.dense,
            "account_lo": self.account_lo,
            "account_hi": self.account_hi,
        }

    @classmethod
    def of(cls, args: dict[str, Any]) -> Chunk:
        days = DayRange(
            lo=date.fromisoformat(args["lo"]),
            hi=date.fromisoformat(args["hi"]),
            kept=tuple(date.fromisoformat(day) for day in args["kept"]),
            dense=args["dense"],
        )
        return cls(days=days, account_lo=args["account_lo"], account_hi=args["account_hi"])


def day_ranges(days: Sequence[date], *, lookback_days: int) -> list[DayRange]:
    """Long runs of consecutive days as dense ranges; all other days together as one sparse range."""
    runs: list[list[date]] = []
    for day in sorted(set(days)):
        if runs and (day - runs[-1][-1]).days == 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    lookback = timedelta(days=lookback_days)
    ranges = [
        DayRange(lo=run[0] - lookback, hi=run[-1], kept=tuple(run), dense=True)
        for run in runs
        if len(run) >= DENSE_MIN_DAYS
    ]
    sparse = [day for run in runs if len(run) < DENSE_MIN_DAYS for day in run]
    if sparse:
        ranges.append(DayRange(lo=sparse[0] - lookback, hi=sparse[-1], kept=tuple(sparse), dense=False))
    return ranges


def account_ranges(*, accounts_per_range: int) -> list[tuple[int, int]]:
    """Consecutive id ranges of about accounts_per_range accounts each, covering every account."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT MIN(id), MAX(id) FROM (SELECT id, (ROW_NUMBER() OVER (ORDER BY id) - 1) / %s AS part "
            "FROM accounts_account) a GROUP BY part ORDER BY 1",
            [accounts_per_range],
        )
        return [(int(lo), int(hi)) for lo, hi in cursor.fetchall()]


def daily_chunks(*, days: Sequence[date], lookback_days: int, parts: int = 1) -> Iterator[Chunk]:
    """Chunks of at most SERIES_ROWS_PER_CHUNK series rows, and at least `parts` per range of days (so that as
    many workers have something to do)."""
    accounts = Account.objects.count()
    for days_range in day_ranges(days, lookback_days=lookback_days):
        per_range = min(
            max(1, SERIES_ROWS_PER_CHUNK // days_range.computed_days(lookback_days)),
            max(1, -(-accounts // parts)),
        )
        for account_lo, account_hi in account_ranges(accounts_per_range=per_range):
            yield Chunk(days=days_range, account_lo=account_lo, account_hi=account_hi)


def account_days_compute_chunk(*, chunk: Chunk) -> None:
    """Replace the AccountDay rows of one chunk's kept days and accounts, in one transaction: the series (dense
    or by day), the health scores, the rows. The rollups must be fresh: the pipeline refreshes them first."""
    model = health_model_active()
    kept = chunk.days.kept
    before = {day - timedelta(days=model.drop_days) for day in kept} - set(kept)
    # Scattered days (the nightly day) compare with the stored score of d − drop_days when that day has its
    # snapshot already, instead of computing that day again; dense ranges compute their lookback anyway.
    stored_before = [] if chunk.days.dense else _days_stored(sorted(before))
    computed = sorted({*kept, *(before - set(stored_before))})
    params = {
        "lo": chunk.days.lo,
        "hi": chunk.days.hi,
        "account_lo": chunk.account_lo,
        "account_hi": chunk.account_hi,
        "tz": settings.KEEL_TIMEZONE,
        "stored_before": stored_before,
        **model.sql_params(),
    }
    with transaction.atomic(), sql_step() as step:
        set_local("work_mem", PIPELINE_WORK_MEM)
        step.table("_days", "day date PRIMARY KEY", [(day,) for day in kept])
        step.table("_hdays", "day date PRIMARY KEY", [(day,) for day in computed])
        step.run(files, "daily_series" if chunk.days.dense else "daily_points", **params)
        step.run(files, "stored_scores", **params)
        health_scores_compute(step=step, params=params, dense=chunk.days.dense)
        step.run(files, "daily_store", **params)


def _days_stored(days: list[date]) -> list[date]:
    """The days among `days` that have snapshot rows (one probe of the (day, account) key each)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT wanted.day FROM unnest(%s::date[]) AS wanted (day) "
            "WHERE EXISTS (SELECT 1 FROM metrics_accountday a WHERE a.day = wanted.day)",
            [days],
        )
        return [day for (day,) in cursor.fetchall()]


# The days stored before the cutoff, one probe of the (day, account) key each (a loose index scan): past the
# window only month-ends are left, so a nightly run finds a few dozen days and deletes one, where
# `day < cutoff` scanned every row (13M at 20,000 event-dense accounts: 1.4 s a night, growing with history).
_EXPIRED = """
WITH RECURSIVE stored (day) AS (
    (SELECT day FROM metrics_accountday WHERE day < %(cutoff)s ORDER BY day LIMIT 1)
    UNION ALL
    SELECT (SELECT a.day FROM metrics_accountday a WHERE a.day > stored.day AND a.day < %(cutoff)s
            ORDER BY a.day LIMIT 1)
    FROM stored WHERE stored.day IS NOT NULL
)
DELETE FROM metrics_accountday
WHERE day = ANY(ARRAY(SELECT day FROM stored WHERE day IS NOT NULL AND day <> keel_month_end(day)))
"""


def account_days_expire(*, today: date, retention_days: int) -> int:
    """Drop daily rows older than the retention window, keeping month-ends forever; return how many went."""
    with connection.cursor() as cursor:
        cursor.execute(_EXPIRED, {"cutoff": date.fromordinal(today.toordinal() - retention_days)})
        return cursor.rowcount
