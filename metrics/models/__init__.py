"""Inputs and snapshots of the KPI engine (METRICS.md), one module per kind: the KPI rows, the usage rollups,
the daily snapshots, snapshot jobs, the renewal forecast, notifications."""

from metrics.models.columns import Count, Money
from metrics.models.jobs import SnapshotJob
from metrics.models.kpis import MonthlyKpi, Scope
from metrics.models.notifications import Notification
from metrics.models.renewals import RenewalDue, RenewalMonth, RenewalRates
from metrics.models.rollups import FirstEventDay, RollupState, UsageAccountDay, UsageEventDay, UsageUserDay
from metrics.models.snapshots import AccountCurrent, AccountDay, ComputedDay, PreviewRow

__all__ = [
    "AccountCurrent",
    "AccountDay",
    "ComputedDay",
    "Count",
    "FirstEventDay",
    "Money",
    "MonthlyKpi",
    "Notification",
    "PreviewRow",
    "RenewalDue",
    "RenewalMonth",
    "RenewalRates",
    "RollupState",
    "Scope",
    "SnapshotJob",
    "UsageAccountDay",
    "UsageEventDay",
    "UsageUserDay",
]
