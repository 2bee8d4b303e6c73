"""A step that fails on a real worker (a prefork `celery worker` process, through Redis) fails its run: the job
says why and the later stages do not run. Celery calls the run's errback (metrics.tasks.snapshot_job_failed_task)
with the failed request only when the errback is not a bound task; it was, and every failed run stayed
"running" for ever."""

from __future__ import annotations

import dataclasses
import time
from datetime import date, timedelta
from typing import Any

import pytest
import redis
from django.db import connection
from django.utils import timezone

from metrics.models import ComputedDay, SnapshotJob
from metrics.services import pipeline
from tests.conftest import database_url
from tests.faults.conftest import celery_through, celery_worker, keel_env

pytestmark = [pytest.mark.faults, pytest.mark.redis]


@pytest.mark.parametrize("where", ["alone", "in a group"])
@pytest.mark.django_db(transaction=True)
def test_a_step_that_fails_on_a_worker_fails_its_run(
    redis_url: str, where: str, monkeypatch: pytest.MonkeyPatch, other_sessions_ended: None
) -> None:
    """The plan of two days gets one step this Keel cannot run (the worker has no such step: a KeyError),
    alone in a stage or beside the daily chunks of its group."""
    real_plan = pipeline.snapshot_plan

    def plan_with_a_bad_step(**kwargs: Any) -> pipeline.SnapshotPlan:
        plan = real_plan(**kwargs)
        bad = {"step": "no such step", "weight": 1}
        first, chunks, *rest = plan.stages
        stages = (first, (bad,), chunks, *rest) if where == "alone" else (first, (*chunks, bad), *rest)
        return dataclasses.replace(plan, stages=stages)

    monkeypatch.setattr(pipeline, "snapshot_plan", plan_with_a_bad_step)
    redis.Redis.from_url(redis_url).flushdb()
    yesterday = timezone.localdate() - timedelta(days=1)
    env = keel_env(database_url=database_url(connection.settings_dict), redis_url=redis_url)
    with celery_through(redis_url), celery_worker(env):
        job = pipeline.snapshot_job_enqueue(start=yesterday - timedelta(days=1), end=yesterday, reason="test")
        deadline = time.monotonic() + 60
        while job.state in (SnapshotJob.State.QUEUED, SnapshotJob.State.RUNNING):
            assert time.monotonic() < deadline, f"the run is still {job.state}"
            time.sleep(0.2)
            job.refresh_from_db()
    assert (job.state, job.error) == (SnapshotJob.State.FAILED, "KeyError: 'no such step'")
    assert not ComputedDay.objects.filter(day__gte=date(2000, 1, 1)).exists()  # "finish" never ran
