"""Daily per-account snapshots (metrics_accountday): revenue, owner, usage and health of every paying or used account.

Days are computed as dense series (metrics/sql/daily_series.sql) over ranges of days and of accounts: a range of
days costs one pass over the rollups whatever its length, and ranges of accounts are independent, so the
pipeline can hand them to different workers.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import connection, transaction

from metrics import sql

# Dense series rows (accounts × days) per statement: bounds the temp tables of one chunk (about 1 GB at most).
SERIES_ROWS_PER_CHUNK = 3_000_000
# Sorts and hashes of one chunk stay in memory instead of spilling to disk (one pipeline statement at a time per
# worker, so this is per worker, not per connection of the web app).
PIPELINE_WORK_MEM = "256MB"
# Two kept days closer than this are computed in one range: cheaper than a second 59-day lookback.
_MERGE_GAP_DAYS = 60


@dataclass(frozen=True)
class DayRange:
    """Compute lo … hi (lo includes the health drop rule's lookback), store `kept`."""

    lo: date
    hi: date
    kept: tuple[date, ...]


@dataclass(frozen=True)
class Chunk:
    days: DayRange
    account_lo: int
    account_hi: int


def day_ranges(days: Sequence[date], *, lookback_days: int) -> list[DayRange]:
    """Group the kept days into ranges, each computed from lookback_days before its first day."""
    ranges: list[list[date]] = []
    for day in sorted(set(days)):
        if ranges and (day - ranges[-1][-1]).days <= _MERGE_GAP_DAYS:
            ranges[-1].append(day)
        else:
            ranges.append([day])
    return [
        DayRange(lo=group[0] - timedelta(days=lookback_days), hi=group[-1], kept=tuple(group))
        for group in ranges
    ]


def account_ranges(*, accounts_per_range: int) -> list[tuple[int, int]]:
    """Consecutive id ranges of about accounts_per_range accounts each, covering every account."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT MIN(id), MAX(id) FROM (SELECT id, (ROW_NUMBER() OVER (ORDER BY id) - 1) / %s AS part "
            "FROM accounts_account) a GROUP BY part ORDER BY 1",
            [accounts_per_range],
        )
        return [(int(lo), int(hi)) for lo, hi in cursor.fetchall()]


def daily_chunks(*, days: Sequence[date], lookback_days: int) -> Iterator[Chunk]:
    for days_range in day_ranges(days, lookback_days=lookback_days):
        series_days = (days_range.hi - days_range.lo).days + 30
        for account_lo, account_hi in account_ranges(
            accounts_per_range=max(1, SERIES_ROWS_PER_CHUNK // series_days)
        ):
            yield Chunk(days=days_range, account_lo=account_lo, account_hi=account_hi)


def account_days_compute(*, days: Sequence[date]) -> None:
    """Replace the AccountDay rows of `days`, chunk by chunk (each chunk in one transaction)."""
    from health.services import health_model_active

    for chunk in daily_chunks(days=days, lookback_days=health_model_active().drop_days):
        account_days_compute_chunk(chunk=chunk)


def account_days_compute_chunk(*, chunk: Chunk) -> None:
    """One range of days for one range of accounts: series, health, store. The rollups must be fresh."""
    from health.services import health_model_active, health_scores_compute_from_series

    model = health_model_active()
    params = {
        "lo": chunk.days.lo,
        "hi": chunk.days.hi,
        "account_lo": chunk.account_lo,
        "account_hi": chunk.account_hi,
        "tz": settings.KEEL_TIMEZONE,
        "model_id": model.pk,
        **model.sql_params(),
    }
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL work_mem = '{PIPELINE_WORK_MEM}'")
            cursor.execute("CREATE TEMP TABLE _days (day date PRIMARY KEY) ON COMMIT DROP")
            cursor.executemany("INSERT INTO _days VALUES (%s)", [(day,) for day in chunk.days.kept])
        sql.run("daily_series", **params)
        health_scores_compute_from_series(params=params)
        sql.run("daily_store", **params)
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE _days")


def account_days_expire(*, today: date, retention_days: int) -> int:
    """Drop daily rows older than the retention window, keeping month-ends forever; return how many went."""
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM metrics_accountday WHERE day < %s AND day <> (date_trunc('month', day) "
            "+ interval '1 month - 1 day')::date",
            [date.fromordinal(today.toordinal() - retention_days)],
        )
        return cursor.rowcount
