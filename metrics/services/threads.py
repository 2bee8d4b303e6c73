"""Independent steps at once, in threads of this process (`KEEL_PIPELINE_JOBS`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

from django.db import connections


def in_parallel(steps: Sequence[Callable[[], object]], *, jobs: int) -> None:
    """Run independent steps, `jobs` at a time, each thread on its own database connection (Django keeps one
    per thread); the work happens in PostgreSQL, so threads are enough. Re-raises the first failure."""
    if jobs <= 1 or len(steps) <= 1:
        for step in steps:
            step()
        return

    def run(step: Callable[[], object]) -> None:
        try:
            step()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        for future in [pool.submit(run, step) for step in steps]:
            future.result()
