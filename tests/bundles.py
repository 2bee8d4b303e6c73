"""Helpers of the tests that compare two databases' numbers: an empty database in the test's transaction, and
every kpis and health output over a range (the commands' JSON, as tests/metrics/test_golden.py reads it)."""

from __future__ import annotations

from importlib import import_module
from io import StringIO
from typing import Any

from django.apps import apps
from django.core.management import call_command
from django.db import connection

from tests.metrics.test_golden import run


def quiet(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def numbers(
    *, months: tuple[str, str], days: tuple[str, ...], backtest: tuple[str, str] | None = None
) -> dict[str, Any]:
    """`kpis` of `months` (company, by CSM, by segment), `health` on each of `days`, and the `backtest` of its
    months when given."""
    got: dict[str, Any] = {}
    for by in ("", "csm", "segment"):
        got[f"kpis {by}"] = run("kpis", "--from", months[0], "--to", months[1], *(["--by", by] if by else []))
    for day in days:
        got[f"health {day}"] = run("health", "--on", day)
    if backtest is not None:
        got["backtest"] = run("backtest", "--from", backtest[0], "--to", backtest[1])
    return got


def empty_database() -> None:
    """What a new installation holds: no data, the health model versions of the migrations."""
    with connection.cursor() as cursor:  # the test's transaction holds deferred foreign key checks: run them
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    quiet("flush", "--no-input")
    import_module("health.migrations.0002_default_model").create_default_model(apps, None)
    import_module("health.migrations.0008_revenue_trend_and_lifecycle").add_versions(apps, None)
