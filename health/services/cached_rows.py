"""Rows the Health page's preview and the backtest re-weight, kept per pipeline run (health.models.CachedDay):

- `BacktestRow`: the accounts scored on a month-end counted per distinct components, churned or stayed
  (health/sql/backtest_rows.sql);
- `PreviewRow`: the accounts scored on a day with their ARR and components (health/sql/preview_rows.sql).

Both are filled for the days asked for, the first time after each run that they are asked for.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.db import connection, transaction
from django.db.models import Max

from health.models import CachedDay
from health.sql import files
from metrics.models import ComputedDay
from metrics.services.daily import PIPELINE_WORK_MEM

_FILL_LOCK = 0x6B65656C_4254  # pg_advisory_xact_lock key: one filler at a time ("keel" "BT")
_TABLES = {CachedDay.Kind.BACKTEST: "health_backtestrow", CachedDay.Kind.PREVIEW: "health_previewrow"}
_SQL = {CachedDay.Kind.BACKTEST: "backtest_rows", CachedDay.Kind.PREVIEW: "preview_rows"}


def cached_rows_ledger() -> str:
    """The latest pipeline run, as every run ends by stamping the days it computed: stored components and the
    spans' labels are taken to be those of that run."""
    return str(ComputedDay.objects.aggregate(stamp=Max("computed_at"))["stamp"] or "")


def cached_rows_fill(kind: CachedDay.Kind, days: Sequence[date]) -> None:
    """Make the `kind` rows of `days` those of the latest pipeline run: rows of an earlier run are dropped (every
    day's, so the cache never outgrows what was asked for since), missing days filled. Running it again changes
    nothing; two at once wait for each other (an advisory lock), so no day is filled twice."""
    table = _TABLES[kind]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_FILL_LOCK])
        ledger = cached_rows_ledger()
        filled = dict(CachedDay.objects.filter(kind=kind).values_list("day", "ledger"))
        stale = [day for day, stamp in filled.items() if stamp != ledger]
        if stale and len(stale) == len(filled):
            cursor.execute(f"TRUNCATE {table}")
        elif stale:
            cursor.execute(f"DELETE FROM {table} WHERE day = ANY (%s::date[])", [stale])
        CachedDay.objects.filter(kind=kind, day__in=stale).delete()
        missing = sorted({day for day in days if filled.get(day) != ledger})
        if not missing:
            return
        cursor.execute(f"SET LOCAL work_mem = '{PIPELINE_WORK_MEM}'")
        for statement in files.statements(_SQL[kind]):
            cursor.execute(statement, {"days": missing})
        CachedDay.objects.bulk_create([CachedDay(kind=kind, day=day, ledger=ledger) for day in missing])
