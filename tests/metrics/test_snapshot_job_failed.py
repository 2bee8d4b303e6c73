"""A run whose step fails on a worker says why: the step's own error. In a group, Celery reports it twice to the
run's errback (metrics.tasks.snapshot_job_failed_task): as itself, and wrapped in the chord's ChordError, in
either order (tests/faults/test_step_failed.py saw both); the wrapping never replaces what it wraps."""

from __future__ import annotations

from datetime import date

import pytest
from celery.exceptions import ChordError

from metrics.models import SnapshotJob
from metrics.tasks import snapshot_job_failed_task


@pytest.mark.parametrize(
    "chord_first", [True, False], ids=["the chord's error first", "the step's error first"]
)
@pytest.mark.django_db
def test_the_steps_own_error_is_what_the_run_says(chord_first: bool) -> None:
    job = SnapshotJob.objects.create(
        reason="test", start=date(2024, 1, 1), end=date(2024, 1, 2), steps_total=3
    )
    step = KeyError("no such step")
    chord = ChordError(f"Dependency 1234 raised {step!r}")
    for error in (chord, step) if chord_first else (step, chord):
        snapshot_job_failed_task(None, error, None, job_id=job.pk)
    job.refresh_from_db()
    assert (job.state, job.error) == (SnapshotJob.State.FAILED, "KeyError: 'no such step'")
    assert job.finished_at is not None


@pytest.mark.django_db
def test_a_chords_error_alone_is_recorded() -> None:
    job = SnapshotJob.objects.create(
        reason="test", start=date(2024, 1, 1), end=date(2024, 1, 2), steps_total=3
    )
    snapshot_job_failed_task(None, ChordError("Dependency 1234 raised KeyError('x')"), None, job_id=job.pk)
    job.refresh_from_db()
    assert (job.state, job.error) == (
        SnapshotJob.State.FAILED,
        "ChordError: Dependency 1234 raised KeyError('x')",
    )
