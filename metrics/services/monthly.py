"""Monthly KPIs of METRICS.md for the company, every CSM, every segment and every CSM's segment: one statement
per KPI family into a temp table, then one INSERT of the month rows (monthly_store.sql).

The families read the raw facts and the usage rollups only, so the months run beside the daily chunks of the
same pipeline run. The health figures (at_risk_arr, the health distribution) come from the daily rows instead:
the months keep the figures they had, and `monthly_health_update` sets them once the daily rows are stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.conf import settings
from django.db import transaction

from accounts.sql import SqlStep, set_local, sql_step
from metrics.services.daily import PIPELINE_WORK_MEM
from metrics.sql import files

# After the points in time (monthly_points) and the groups (monthly_groups), each family computes its columns
# for the groups; _kpi_<family> tables, joined by monthly_store.
_FAMILIES = (
    "monthly_revenue",
    "monthly_ltv",
    "monthly_renewals",
    "monthly_spend",
    "monthly_voice",
    "monthly_support",
    "monthly_usage",
)


def _months_table(step: SqlStep, months: Sequence[tuple[date, date]]) -> None:
    """_months (month, as_of): the input of the monthly .sql files."""
    step.table("_months", "month date PRIMARY KEY, as_of date NOT NULL", months)


def monthly_kpis_compute(*, months: Sequence[tuple[date, date]]) -> None:
    """Replace the KPI rows of each (month, as_of): the month's first day and the day it is reported as of.

    as_of is the month's last day, or for the current month the last computed day (METRICS.md "Conventions").
    Everything is read from the raw facts and the usage rollups, so recomputing gives identical rows.
    """
    if not months:
        return
    params = {"tz": settings.KEEL_TIMEZONE, "activation_event": settings.KEEL_ACTIVATION_EVENT}
    with transaction.atomic(), sql_step() as step:
        set_local("work_mem", PIPELINE_WORK_MEM)
        _months_table(step, months)
        for name in ("monthly_health_kept", "monthly_points", "monthly_groups", *_FAMILIES, "monthly_store"):
            step.run(files, name, **params)


def monthly_health_update(*, months: Sequence[tuple[date, date]]) -> None:
    """Set the health figures of the months' rows from the daily rows of each as_of (monthly_health_update.sql):
    after both the daily rows and the months' rows of a pipeline run are stored."""
    if not months:
        return
    with transaction.atomic(), sql_step() as step:
        _months_table(step, months)
        step.run(files, "monthly_health_update")
