"""Timing helpers: wall-clock seconds of a step, and the slowest SQL statement it ran."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import connection


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


@contextmanager
def measure() -> Iterator[Measured]:
    """Time the block and note its slowest statement (connection.execute_wrapper sees every query)."""
    result = Measured()

    def wrapper(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            result.slowest.offer(time.perf_counter() - began, sql, params)

    began = time.perf_counter()
    with connection.execute_wrapper(wrapper):
        yield result
    result.seconds = time.perf_counter() - began
