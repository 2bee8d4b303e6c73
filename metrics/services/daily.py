"""Daily per-account snapshots (metrics_accountday): ARR, owner and usage of every paying or active account."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.db import connection, transaction

from metrics import sql


def account_days_compute(*, days: Sequence[date]) -> None:
    """Replace the AccountDay rows of `days` in one transaction (the rollups must be fresh: the pipeline sees to it)."""
    if not days:
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("CREATE TEMP TABLE _days (day date PRIMARY KEY) ON COMMIT DROP")
            cursor.executemany("INSERT INTO _days VALUES (%s)", [(day,) for day in days])
            cursor.execute("ANALYZE _days")
        sql.run("daily_accounts")
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
