"""Usage rollups: per local day, which users and which events each account had (METRICS.md "Product usage").

Rebuilt for the days of the usage journal (accounts.ChangedUsageDay, which every writer of usage events keeps),
so the rollups always match the facts whatever range the pipeline computes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from django.conf import settings
from django.db import connection, transaction

from accounts.models import ChangedUsageDay
from accounts.services import usage_days_changed
from accounts.sql import set_local, sql_step
from metrics.models import RollupState
from metrics.services.daily import PIPELINE_WORK_MEM
from metrics.services.threads import in_parallel
from metrics.sql import files

# Days rebuilt per statement: bounds the temp table of raw events to about a month of them.
_CHUNK_DAYS = 31


def usage_rollups_refresh(*, jobs: int = 1) -> int:
    """Rebuild the rollups of every changed day (all days if KEEL_TIMEZONE changed), `jobs` chunks of days at a
    time; return how many days were rebuilt."""
    _rollups_follow_timezone()
    changed = list(ChangedUsageDay.objects.order_by("day").values_list("day", "marked_at"))
    chunks = [changed[start : start + _CHUNK_DAYS] for start in range(0, len(changed), _CHUNK_DAYS)]
    in_parallel([_chunk_step(chunk) for chunk in chunks], jobs=jobs)
    return len(changed)


def _chunk_step(chunk: list[tuple[date, datetime]]) -> Callable[[], None]:
    def step() -> None:
        days = [day for day, _ in chunk]
        with transaction.atomic(), sql_step() as sql:
            set_local("work_mem", PIPELINE_WORK_MEM)
            sql.run(
                files, "rollup_usage", tz=settings.KEEL_TIMEZONE, days=days, first=min(days), last=max(days)
            )
            # A day written again while it was being rebuilt stays in the journal for the next run.
            for day, marked_at in chunk:
                ChangedUsageDay.objects.filter(day=day, marked_at=marked_at).delete()

    return step


def _rollups_follow_timezone() -> None:
    state = RollupState.objects.filter(pk=1).first()
    if state is not None and state.timezone == settings.KEEL_TIMEZONE:
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE metrics_usageuserday, metrics_usageaccountday, metrics_usageeventday, metrics_firsteventday"
        )
        usage_days_changed(table="accounts_usageevent")
        RollupState.objects.update_or_create(pk=1, defaults={"timezone": settings.KEEL_TIMEZONE})
