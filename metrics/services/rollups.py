"""Usage rollups: per local day, which users and which events each account had (METRICS.md "Product usage")."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from django.conf import settings
from django.db import connection, transaction

from metrics import sql
from metrics.models import RollupState, StaleUsageDay
from metrics.services.daily import PIPELINE_WORK_MEM

# Days rebuilt per statement: bounds the temp table of raw events to about a month of them.
_CHUNK_DAYS = 31


def usage_days_mark_stale(*, staging_table: str, column: str = "occurred_at") -> None:
    """Mark the local days of the events in `staging_table` as stale. Call in the writer's transaction."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO metrics_staleusageday (day, marked_at) "  # identifiers come from code, never from input
            f"SELECT DISTINCT ({column} AT TIME ZONE %s)::date, now() FROM {staging_table} "
            f"ON CONFLICT (day) DO UPDATE SET marked_at = excluded.marked_at",
            [settings.KEEL_TIMEZONE],
        )


def usage_rollups_refresh(*, jobs: int = 1) -> int:
    """Rebuild the rollups of every stale day (all days if KEEL_TIMEZONE changed), `jobs` chunks of days at a
    time; return how many days were rebuilt."""
    from metrics.services.pipeline import in_parallel

    _rollups_follow_timezone()
    stale = list(StaleUsageDay.objects.order_by("day").values_list("day", "marked_at"))
    chunks = [stale[start : start + _CHUNK_DAYS] for start in range(0, len(stale), _CHUNK_DAYS)]
    in_parallel([_chunk_step(chunk) for chunk in chunks], jobs=jobs)
    return len(stale)


def _chunk_step(chunk: list[tuple[date, datetime]]) -> Callable[[], None]:
    def step() -> None:
        with transaction.atomic():
            _rollup_days([day for day, _ in chunk])
            # A day marked again while it was being rebuilt stays stale for the next run.
            for day, marked_at in chunk:
                StaleUsageDay.objects.filter(day=day, marked_at=marked_at).delete()

    return step


def _rollup_days(days: list[date]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL work_mem = '{PIPELINE_WORK_MEM}'")
    sql.run("rollup_usage", tz=settings.KEEL_TIMEZONE, days=days, first=min(days), last=max(days))


def _rollups_follow_timezone() -> None:
    state = RollupState.objects.filter(pk=1).first()
    if state is not None and state.timezone == settings.KEEL_TIMEZONE:
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE metrics_usageuserday, metrics_usageaccountday, metrics_usageeventday, metrics_firsteventday"
        )
        cursor.execute(
            "INSERT INTO metrics_staleusageday (day, marked_at) "
            "SELECT DISTINCT (occurred_at AT TIME ZONE %s)::date, now() FROM accounts_usageevent "
            "ON CONFLICT (day) DO UPDATE SET marked_at = excluded.marked_at",
            [settings.KEEL_TIMEZONE],
        )
        RollupState.objects.update_or_create(pk=1, defaults={"timezone": settings.KEEL_TIMEZONE})
