"""Daily per-account snapshots (metrics_accountday): ARR, owner and usage of every paying or active account."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from django.db import connection, transaction

from metrics import sql


def account_days_compute(*, days: Sequence[date]) -> None:
    """Replace the AccountDay and HealthScore rows of `days` in one transaction.

    The health of d compares with d − drop_days, so those days are computed too (not stored) and every row
    depends only on the facts. The rollups must be fresh: the pipeline refreshes them first.
    """
    if not days:
        return
    from health.services import health_model_active, health_scores_compute_from_account_days

    drop = timedelta(days=health_model_active().drop_days)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("CREATE TEMP TABLE _days (day date PRIMARY KEY) ON COMMIT DROP")
            cursor.executemany("INSERT INTO _days VALUES (%s)", [(day,) for day in days])
            cursor.execute("CREATE TEMP TABLE _hdays (day date PRIMARY KEY) ON COMMIT DROP")
            cursor.executemany(
                "INSERT INTO _hdays VALUES (%s) ON CONFLICT DO NOTHING",
                [(day,) for day in sorted({*days, *(day - drop for day in days)})],
            )
            cursor.execute("ANALYZE _days")
            cursor.execute("ANALYZE _hdays")
        sql.run("daily_accounts")
        health_scores_compute_from_account_days()
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE _days, _hdays, _account_day")


def account_days_expire(*, today: date, retention_days: int) -> int:
    """Drop daily rows older than the retention window, keeping month-ends forever; return how many went."""
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM metrics_accountday WHERE day < %s AND day <> (date_trunc('month', day) "
            "+ interval '1 month - 1 day')::date",
            [date.fromordinal(today.toordinal() - retention_days)],
        )
        return cursor.rowcount
