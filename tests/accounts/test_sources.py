"""What each source of data accepted and refused: counts add up per source and day, the day is Keel's
(KEEL_TIMEZONE), and only the latest refusals are kept."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from accounts.models import DataSource, SourceDay, SourceRejection
from accounts.selectors.sources import source_days
from accounts.services import source_accepted, source_rejected
from accounts.services import sources as sources_service

pytestmark = pytest.mark.django_db


def test_counts_add_up_per_source_and_day() -> None:
    morning = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)
    source_accepted(DataSource.SEGMENT, 120, at=morning)
    source_accepted(DataSource.SEGMENT, 30, at=morning.replace(hour=10))
    source_rejected(DataSource.SEGMENT, "bad write key", at=morning.replace(hour=8))
    source_accepted(DataSource.STRIPE, 1, at=morning)
    source_accepted(DataSource.SEGMENT, 0, at=morning.replace(hour=23))  # nothing came: nothing counted

    (segment,) = source_days(source=DataSource.SEGMENT)
    assert (segment.day, segment.accepted, segment.rejected) == (date(2026, 3, 4), 150, 1)
    assert segment.last_at == morning.replace(hour=10)  # the latest, whatever the order of the calls
    assert [day.accepted for day in source_days(source=DataSource.STRIPE)] == [1]


def test_the_day_is_keels_day(settings: Any) -> None:
    settings.TIME_ZONE = "America/New_York"
    # 02:00 UTC on 5 March is 21:00 on 4 March in New York.
    source_accepted(DataSource.API, 2, at=datetime(2026, 3, 5, 2, 0, tzinfo=UTC))
    assert [day.day for day in source_days()] == [date(2026, 3, 4)]


def test_only_the_latest_refusals_are_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sources_service, "SOURCE_REJECTIONS_KEPT", 3)
    for n in range(5):
        source_rejected(DataSource.API, f"refusal {n}", detail={"n": n})
    source_rejected(DataSource.STRIPE, "another source keeps its own")

    kept = SourceRejection.objects.filter(source=DataSource.API).order_by("id")
    assert [r.reason for r in kept] == ["refusal 2", "refusal 3", "refusal 4"]
    assert [r.detail for r in kept] == [{"n": 2}, {"n": 3}, {"n": 4}]
    assert SourceRejection.objects.filter(source=DataSource.STRIPE).count() == 1
    assert [day.rejected for day in source_days(source=DataSource.API)] == [5]  # every refusal counts


def test_a_day_counted_in_several_slots_reads_as_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """Concurrent requests add to different rows of the day (no waiting on one row's lock); read, they are one."""
    slots = iter([3, 7, 3])
    monkeypatch.setattr(sources_service.random, "randrange", lambda n: next(slots))
    at = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)
    source_accepted(DataSource.SEGMENT, 100, at=at)
    source_accepted(DataSource.SEGMENT, 20, at=at.replace(hour=11))
    source_rejected(DataSource.SEGMENT, "bad key", at=at.replace(hour=10))
    assert SourceDay.objects.filter(source=DataSource.SEGMENT).count() == 2
    (day,) = source_days(source=DataSource.SEGMENT)
    assert (day.accepted, day.rejected, day.last_at) == (120, 1, at.replace(hour=11))
