"""The golden case of ../shared/golden (copied to tests/fixtures/golden): import the bundle, compute the
snapshots, and print exactly the expected `kpis`, `health` and `backtest` output, field for field.

Matching rules of its README: money to the cent, counts exact, rates within 1e-6, health scores and
components within 0.05, statuses and at_risk exact, null is null. Keel may print more fields.
"""

from __future__ import annotations

import json
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

# The marker makes pytest-django set up the test database even when this module runs alone; each test then
# runs in a transaction that is rolled back, on top of the data the module fixture committed.
pytestmark = pytest.mark.django_db

GOLDEN = Path(__file__).resolve().parent.parent / "fixtures" / "golden"
KPI_FILES = {
    "kpis.json": [],
    "kpis-by-csm.json": ["--by", "csm"],
    "kpis-by-segment.json": ["--by", "segment"],
}


@pytest.fixture(scope="module")
def golden_db(django_db_setup: None, django_db_blocker: Any) -> Any:
    """Import the bundle and compute 2023-07-01 … 2025-06-30 once for the module (the README's steps)."""
    with django_db_blocker.unblock():
        assert connection.settings_dict["NAME"].startswith("test_"), "never on a real database"
        call_command("import_bundle", str(GOLDEN / "bundle"), stdout=StringIO())
        call_command("snapshot", "--from", "2023-07-01", "--to", "2025-06-30", stdout=StringIO())
        yield
        call_command("flush", "--no-input", stdout=StringIO())


def run(*args: str) -> Any:
    out = StringIO()
    call_command(*args, "--format", "json", stdout=out)
    return json.loads(out.getvalue())


def assert_same(expected: Any, got: Any, where: str, *, tolerance: float = 1e-6) -> None:
    if expected is None:
        assert got is None, where
    elif isinstance(expected, bool):
        assert got is expected, where
    elif isinstance(expected, str) and expected.replace(".", "", 1).lstrip("-").isdigit():
        assert got is not None, where
        assert abs(Decimal(got) - Decimal(expected)) <= Decimal("0.01"), f"{where}: {got} != {expected}"
    elif isinstance(expected, str):
        assert got == expected, where
    elif isinstance(expected, int):
        assert got == expected, where
        assert isinstance(got, int), where
    elif isinstance(expected, float):
        assert got is not None, where
        assert abs(got - expected) <= tolerance, f"{where}: {got} != {expected}"
    elif isinstance(expected, dict):
        for key, value in expected.items():
            assert key in got, f"{where}.{key} missing"
            assert_same(value, got[key], f"{where}.{key}", tolerance=tolerance)
    else:  # pragma: no cover - the golden files hold nothing else
        raise AssertionError(f"{where}: unexpected {expected!r}")


@pytest.mark.parametrize("name", KPI_FILES)
def test_kpis_match_the_golden_files(golden_db: None, name: str) -> None:
    expected = json.loads((GOLDEN / name).read_text())
    got = run("kpis", "--from", "2024-08", "--to", "2025-06", *KPI_FILES[name])
    key = "csm" if "csm" in name else "segment" if "segment" in name else None
    rows = {(row["month"], row.get(key)): row for row in got}
    assert len(rows) == len(got), "one row per month and group"
    for row in expected:
        ident = (row["month"], row.get(key))
        assert ident in rows, f"{name}: no row for {ident}"
        assert_same(row, rows[ident], f"{name}{list(ident)}")
    assert len(got) == len(expected)


def test_health_matches_the_golden_file(golden_db: None) -> None:
    expected = json.loads((GOLDEN / "health-2025-04-30.json").read_text())
    got = {row["account_id"]: row for row in run("health", "--on", "2025-04-30")}
    assert set(got) == {row["account_id"] for row in expected}
    for row in expected:
        assert_same(row, got[row["account_id"]], row["account_id"], tolerance=0.05)


def test_backtest_matches_the_golden_file(golden_db: None) -> None:
    expected = json.loads((GOLDEN / "backtest.json").read_text())
    assert_same(expected, run("backtest", "--from", "2024-07", "--to", "2025-03"), "backtest")


def test_recomputing_the_range_changes_no_row(golden_db: None, django_db_blocker: Any) -> None:
    before = run("kpis", "--from", "2023-07", "--to", "2025-06", "--by", "csm")
    with django_db_blocker.unblock():
        call_command("snapshot", "--from", "2024-01-01", "--to", "2025-06-30", stdout=StringIO())
    assert run("kpis", "--from", "2023-07", "--to", "2025-06", "--by", "csm") == before
