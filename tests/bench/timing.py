"""Timing helpers: wall-clock seconds of a step, its slowest SQL statement, and the seconds spent in each of the
pipeline's .sql files.

The pipeline runs chunks on several threads (KEEL_PIPELINE_JOBS), each with its own connection, so a
per-connection `execute_wrapper` would only see the main thread: the bench wraps the cursor class and the .sql
file runner for the duration of the block instead. Statement seconds of parallel threads add up, so the sum of
`by_file` can exceed the wall-clock `seconds`.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db.backends import utils

from accounts.sql import SqlFiles, SqlStep


@dataclass
class Slowest:
    seconds: float = 0.0
    sql: str = ""
    params: Any = None

    def offer(self, seconds: float, sql: str, params: Any) -> None:
        if seconds > self.seconds:
            self.seconds, self.sql, self.params = seconds, sql, params


@dataclass
class Measured:
    seconds: float = 0.0
    slowest: Slowest = field(default_factory=Slowest)
    by_file: dict[str, float] = field(default_factory=lambda: defaultdict(float))

    def files_seconds(self, prefix: str) -> float:
        """Statement seconds of the .sql files whose name starts with `prefix`, summed over threads."""
        return sum(seconds for name, seconds in self.by_file.items() if name.startswith(prefix))


@contextmanager
def measure() -> Iterator[Measured]:
    """Time the block, note its slowest statement and the seconds of each .sql file, on every thread."""
    result = Measured()
    lock = threading.Lock()
    execute, run = getattr(utils.CursorWrapper, "_execute"), SqlStep._execute  # noqa: B009 - private, untyped

    def timed_execute(self: utils.CursorWrapper, sql: str, params: Any, *ignored_wrappers: Any) -> Any:
        began = time.perf_counter()
        try:
            return execute(self, sql, params, *ignored_wrappers)
        finally:
            with lock:
                result.slowest.offer(time.perf_counter() - began, sql, params)

    def timed_run(self: SqlStep, files: SqlFiles, name: str, params: Any, *, fetch: bool) -> Any:
        began = time.perf_counter()
        try:
            return run(self, files, name, params, fetch=fetch)
        finally:
            with lock:
                result.by_file[name] += time.perf_counter() - began

    setattr(utils.CursorWrapper, "_execute", timed_execute)  # noqa: B010
    SqlStep._execute = timed_run  # type: ignore[method-assign]
    began = time.perf_counter()
    try:
        yield result
    finally:
        result.seconds = time.perf_counter() - began
        setattr(utils.CursorWrapper, "_execute", execute)  # noqa: B010
        SqlStep._execute = run  # type: ignore[method-assign]
