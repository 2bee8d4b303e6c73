"""The backtest's rows (health.models.BacktestRow) and churners (BacktestChurner), kept by the pipeline: a
month-end's rows are filled once its 90 days are computed, and again when a run recomputes the month-end or any of
its 90 days (health_backtest then re-weights them, whatever the model)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.db import connection

from accounts.sql import SqlStep
from health.sql import files


def backtest_rows_replace(*, step: SqlStep, days: Sequence[date]) -> None:
    """Replace the rows and churners of the month-ends `days` from `_scored` (day, account_id, ARR and
    stored components of every account scored on them: the caller's, in its step) and the spans' paid islands."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM health_backtestrow WHERE day = ANY(%s::date[])", [list(days)])
        cursor.execute("DELETE FROM health_backtestchurner WHERE day = ANY(%s::date[])", [list(days)])
    step.run(files, "backtest_rows")
