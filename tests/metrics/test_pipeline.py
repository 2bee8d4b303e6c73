"""The pipeline as a whole: what it keeps (retention), what a failure leaves, what a second run does."""

from __future__ import annotations

from datetime import date

import pytest
from pytest_django.fixtures import Settings

from metrics.models import AccountDay, ComputedDay, MonthlyKpi, SnapshotJob
from metrics.services import daily
from metrics.services.pipeline import missing_days
from tests.scenarios import Facts


def days_stored() -> set[date]:
    return set(AccountDay.objects.values_list("day", flat=True).distinct())


@pytest.fixture
def paying(facts: Facts) -> Facts:
    account = facts.account("Keep", seats=5)
    facts.span(account, "1200.00", "year", "2023-06-01")
    facts.event(account, "u1", "2024-05-02T10:00:00Z")
    return facts


def test_daily_rows_inside_retention_and_month_ends_forever(paying: Facts, settings: Settings) -> None:
    """Retention 100 days, today 2024-07-01: daily rows from 2024-03-23 on; before that only month-ends.
    A later run (today 2024-09-01) drops the daily rows that fell out of the window and keeps month-ends."""
    settings.KEEL_DAILY_RETENTION_DAYS = 100
    paying.compute("2024-01-01", "2024-06-30", today="2024-07-01")
    stored = days_stored()
    assert {day for day in stored if day < date(2024, 3, 23)} == {date(2024, 1, 31), date(2024, 2, 29)}
    assert {day for day in stored if day >= date(2024, 3, 23)} == {
        date.fromordinal(n) for n in range(date(2024, 3, 23).toordinal(), date(2024, 6, 30).toordinal() + 1)
    }
    paying.compute("2024-08-31", "2024-08-31", today="2024-09-01")
    kept = days_stored()
    assert date(2024, 5, 15) not in kept  # older than 2024-05-24, not a month-end: expired
    assert {date(2024, 1, 31), date(2024, 2, 29), date(2024, 3, 31), date(2024, 4, 30)} <= kept
    assert date(2024, 6, 1) in kept


def test_a_failure_leaves_earlier_snapshots_and_the_next_run_completes(
    paying: Facts, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The daily step fails after the months were replaced (they run side by side): the months keep the health
    figures they had, which come from the daily rows, and the next run completes."""
    paying.compute("2024-05-01", "2024-05-31", today="2024-06-15")
    before = list(AccountDay.objects.order_by("day").values_list("day", "arr", "mau", "score"))
    kpi_fields = ("month", "scope", "arr", "at_risk_arr", "health_scored", "health_green", "health_score_sum")
    months_before = list(MonthlyKpi.objects.order_by("month", "scope").values_list(*kpi_fields))
    assert {row[4] for row in months_before} == {1}  # every group (company, no CSM, no segment…): one scored

    def broken(**kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr("metrics.services.daily.health_scores_compute", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        paying.compute("2024-05-01", "2024-05-31", today="2024-06-15")
    job = SnapshotJob.objects.latest("created_at")
    assert (job.state, job.error) == (SnapshotJob.State.FAILED, "RuntimeError: disk full")
    assert list(AccountDay.objects.order_by("day").values_list("day", "arr", "mau", "score")) == before
    assert list(MonthlyKpi.objects.order_by("month", "scope").values_list(*kpi_fields)) == months_before

    monkeypatch.undo()
    paying.compute("2024-05-01", "2024-05-31", today="2024-06-15")
    assert SnapshotJob.objects.latest("created_at").state == SnapshotJob.State.DONE
    assert list(AccountDay.objects.order_by("day").values_list("day", "arr", "mau", "score")) == before
    assert list(MonthlyKpi.objects.order_by("month", "scope").values_list(*kpi_fields)) == months_before


def test_missing_days_are_the_ones_never_computed(paying: Facts) -> None:
    """History starts with the first span (2023-06-01); after computing May 2024 the rest is missing."""
    paying.compute("2024-05-01", "2024-05-31", today="2024-06-15")
    missing = missing_days(until=date(2024, 6, 2))
    assert missing[0] == date(2023, 6, 1)
    assert date(2024, 5, 15) not in missing
    assert missing[-2:] == [date(2024, 6, 1), date(2024, 6, 2)]
    assert ComputedDay.objects.count() == 31


def test_the_job_counts_its_steps(paying: Facts, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(daily, "SERIES_ROWS_PER_CHUNK", 30)  # one account per chunk
    paying.account("Second")  # a second account: a second account range
    paying.compute("2024-05-01", "2024-05-31", today="2024-06-15")
    job = SnapshotJob.objects.get()
    assert job.state == SnapshotJob.State.DONE
    # rollups, two account chunks, May, finish, the Health page's rows, the renewal forecast
    assert job.steps_done == job.steps_total == 1 + 2 + 1 + 1 + 1 + 1
