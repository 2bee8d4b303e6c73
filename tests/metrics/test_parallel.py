"""The pipeline's chunks run in parallel threads, each on its own connection (KEEL_PIPELINE_JOBS), and give the
same rows as one after the other."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from accounts.models import ChangedUsageDay
from metrics.models import AccountDay, MonthlyKpi, SnapshotJob
from metrics.services.pipeline import snapshot_compute
from tests.scenarios import Facts


def snapshot() -> tuple[list[dict[str, Any]], list[tuple[Any, ...]]]:
    days = [dict(row) for row in AccountDay.objects.order_by("day", "account_id").values()]
    months = list(
        MonthlyKpi.objects.order_by("month", "scope", "csm_id", "segment").values_list(
            "month", "scope", "arr", "customers", "nps_responses"
        )
    )
    return days, months


@pytest.mark.django_db(transaction=True)
def test_two_jobs_give_the_rows_of_one(facts: Facts) -> None:
    """Six accounts, usage over two months; every day of March and April, the months of 2024 until April."""
    for n in range(6):
        account = facts.account(f"P{n}", seats=3)
        facts.span(account, f"{100 * (n + 1)}.00", "month", "2024-01-01", "2024-04-10" if n == 2 else None)
        for day in range(1, 28, 3):
            facts.event(account, f"u{n % 2}", f"2024-03-{day:02d}T09:00:00Z")
        facts.ticket(account, "2024-03-15T08:00:00Z", priority="high")
    facts.compute("2024-01-01", "2024-04-30", today="2024-05-01")
    one = snapshot()

    AccountDay.objects.all().delete()
    MonthlyKpi.objects.all().delete()
    ChangedUsageDay.objects.update_or_create(day=date(2024, 3, 1))  # a rollup chunk for the threads too
    snapshot_compute(start=date(2024, 1, 1), end=date(2024, 4, 30), today=date(2024, 5, 1), jobs=2)
    assert snapshot() == one
    job = SnapshotJob.objects.latest("created_at")
    assert job.state == SnapshotJob.State.DONE
    assert job.steps_done == job.steps_total
