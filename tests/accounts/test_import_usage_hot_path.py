"""usage.csv's hot path (accounts.importers.usage._clean) takes a row as it is only when the file's own checks
(usage._checked, by FileRows.check) accept it with the same values: every row below, good and bad, is read by both."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from accounts.importers.progress import ImportProgress
from accounts.importers.report import ErrorLog
from accounts.importers.specs import USAGE
from accounts.importers.staging import FileRows, file_rows
from accounts.importers.usage import Event, _clean
from accounts.importers.usage import _checked as checked_path
from tests.accounts.test_import_helpers import run

HEADER = ["account_id", "user_id", "event", "occurred_at", "count"]
ACCOUNTS: dict[str, int | None] = {"ACC-1": 11, "ACC-2": 12, "ACC-NEW": None}  # ACC-NEW: a refused bundle's
LONG = "u" * 200

GOOD = [
    ["ACC-1", "u1", "login", "2024-03-01T10:00:00Z", "3"],
    ["  ACC-2 ", " u1 ", " login ", " 2024-03-01T10:00:00+05:30 ", " 7 "],
    ["ACC-1", "u1", "login", "2024-03-01T10:00:00.123456-08:00", ""],
    ["ACC-1", LONG, "e" * 200, "2024-03-01T10:00:00+00:00", "2147483647"],
    ["ACC-1", "ü-名前", "export ✓", "2024-02-29T23:59:59Z", "1"],
    ["ACC-1", "u1", "login", "0002-01-01T00:00:00-05:00", "1"],
]
BAD = [
    ["ACC-9", "u1", "login", "2024-03-01T10:00:00Z", "1"],  # unknown account
    ["ACC-NEW", "u1", "login", "2024-03-01T10:00:00Z", "1"],  # an account not written
    ["", "u1", "login", "2024-03-01T10:00:00Z", "1"],
    ["ACC-1", "", "login", "2024-03-01T10:00:00Z", "1"],
    ["ACC-1", "u1", "   ", "2024-03-01T10:00:00Z", "1"],
    ["ACC-1", LONG + "u", "login", "2024-03-01T10:00:00Z", "1"],
    ["ACC-1", "u1", "log\x00in", "2024-03-01T10:00:00Z", "1"],
    ["ACC-1", "u1", "login", "2024-03-01T10:00:00", "1"],  # no offset
    ["ACC-1", "u1", "login", "2024-03-01", "1"],
    ["ACC-1", "u1", "login", "2024-02-30T10:00:00Z", "1"],
    ["ACC-1", "u1", "login", "yesterday", "1"],
    ["ACC-1", "u1", "login", "", "1"],
    ["ACC-1", "u1", "login", "0001-01-01T01:00:00-05:00", "1"],  # before the first instant Python holds
    ["ACC-1", "u1", "login", "9999-12-31T23:00:00+05:00", "1"],
    ["ACC-1", "u1", "login", "2024-03-01T10:00:00Z", "0"],
    ["ACC-1", "u1", "login", "2024-03-01T10:00:00Z", "-1"],
    ["ACC-1", "u1", "login", "2024-03-01T10:00:00Z", "1.0"],
    ["ACC-1", "u1", "login", "2024-03-01T10:00:00Z", "٣"],  # a digit, not ASCII
    ["ACC-1", "u1", "login", "2024-03-01T10:00:00Z", "2147483648"],
    ["ACC-1", "u1", "login", "2024-03-01T10:00:00Z"],  # one value short
    ["ACC-1", "u1", "login", "2024-03-01T10:00:00Z", "1", "extra"],
]


def _rows(header: list[str], log: ErrorLog) -> FileRows:
    rows = file_rows(USAGE, iter([(1, header)]), log, ImportProgress(0))
    assert rows is not None
    return rows


def _checked(header: list[str], record: list[str]) -> tuple[Event | None, bool]:
    """What the file's own checks make of the record (usage._checked, the path of every row the hot path does
    not take): its event or None, and whether they logged a problem."""
    log = ErrorLog(["usage"])
    return checked_path(_rows(header, log), ACCOUNTS, log)(2, record), bool(log)


@pytest.mark.parametrize("record", GOOD + BAD, ids=[repr(r)[:60] for r in GOOD + BAD])
def test_the_hot_path_takes_a_row_only_as_the_checks_read_it(record: list[str]) -> None:
    clean = _clean(_rows(HEADER, ErrorLog(["usage"])), ACCOUNTS)
    fast = clean(record)
    checked, logged = _checked(HEADER, record)
    if fast is not None:
        assert fast == checked and not logged
    if record in GOOD:
        assert fast is not None and fast == checked
        assert isinstance(fast[1], datetime) and fast[1].utcoffset() is not None
    else:
        assert fast is None


def test_without_a_count_column_every_event_counts_one() -> None:
    header = HEADER[:4]
    clean = _clean(_rows(header, ErrorLog(["usage"])), ACCOUNTS)
    record = ["ACC-1", "u1", "login", "2024-03-01T10:00:00Z"]
    assert clean(record) == (11, datetime(2024, 3, 1, 10, tzinfo=UTC), "u1", "login", 1)
    assert clean(record) == _checked(header, record)[0]


def test_columns_in_another_order_are_read_by_name() -> None:
    header = ["occurred_at", "count", "event", "account_id", "user_id"]
    clean = _clean(_rows(header, ErrorLog(["usage"])), ACCOUNTS)
    record = ["2024-03-01T10:00:00Z", "4", "login", "ACC-2", "u9"]
    assert clean(record) == (12, datetime(2024, 3, 1, 10, tzinfo=UTC), "u9", "login", 4)
    assert clean(record) == _checked(header, record)[0]


@pytest.mark.parametrize("missing", ["user_id", "event", "occurred_at", "account_id"])
def test_a_usage_file_without_a_required_column_is_refused_for_it(
    tmp_path: Path, db: None, missing: str
) -> None:
    header = [name for name in HEADER if name != missing]
    record = dict(zip(HEADER, ["ACC-1", "u1", "login", "2024-03-01T10:00:00Z", "1"], strict=True))
    usage = ",".join(header) + "\n" + ",".join(record[name] for name in header) + "\n"
    result = run(tmp_path, {"accounts.csv": "id,name\nACC-1,Acme\n", "usage.csv": usage})
    assert not result.ok
    assert result.errors == [f"usage.csv:1: {missing}: required column is missing"]
