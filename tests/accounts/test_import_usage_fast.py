"""usage.csv's fast path (accounts/importers/usage_copy.py) reads a file exactly as the Python reader does: the same
events from the same rows, the same problems worded the same, whichever rows are plain and whichever are not;
and a file it cannot read as Python does (quotes) goes the slow way, imported all the same."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from accounts.importers import usage_copy
from accounts.importers.service import ImportResult
from accounts.models import ChangedUsageDay, UsageEvent
from tests.accounts.test_import_helpers import run

ACCOUNTS = {"accounts.csv": "id,name\nACC-1,Acme\nACC-2,Globex\n"}
NBSP = "\u00a0"

# Plain rows around rows the fast path leaves to the Python reader, valid ones: a user id with a no-break space
# to trim (str.strip does), a count with leading zeros, a name with a non-ASCII last character, a space for T.
VALID = f"""\
account_id,user_id,event,occurred_at,count
ACC-1,u1,login,2024-03-01T10:00:00Z,2
ACC-1,u2{NBSP},login,2024-03-01T10:00:00Z,1
ACC-2,u1,login,2024-03-01T10:00:00.25+05:30,007
ACC-2,u1,réglé,2024-03-02 23:59:59-04:00,3
ACC-1,u3,export,2024-03-03T08:00:00Z,
"""

# Every row but the first and the last has a problem; the fast path sees them as not plain or of no account.
INVALID = """\
account_id,user_id,event,occurred_at,count
ACC-1,u1,login,2024-03-01T10:00:00Z,2
ACC-9,u1,login,2024-03-01T10:00:00Z,1
ACC-1,,login,2024-03-01T10:00:00Z,1
ACC-1,u1,login,2024-03-01T10:00:00,1
ACC-1,u1,login,2024-03-01T24:00:00Z,1
ACC-1,u1,login,2024-03-01T10:00:60Z,1
ACC-1,u1,login,0001-01-01T00:30:00+01:00,1
ACC-1,u1,login,2024-03-01T10:00:00Z,0
ACC-1,u1,login,2024-03-01T10:00:00Z,x
ACC-1,u1,login,2024-03-01T10:00:00Z,99999999999
ACC-1,u1,{long},2024-03-01T10:00:00Z,1
ACC-1,u1,login,not a time,1
ACC-2,u1,login,2024-03-04T10:00:00Z,1
""".replace("{long}", "e" * 201)


def events() -> list[tuple[str, str, str, datetime, int]]:
    return [
        (e.account.external_id, e.user_id, e.event, e.occurred_at, e.count)
        for e in UsageEvent.objects.select_related("account").order_by(
            "account__external_id", "user_id", "event", "occurred_at"
        )
    ]


@pytest.fixture
def fast_calls(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each usage file went the fast way (True) or fell back (False)."""
    calls: list[bool] = []
    real = usage_copy.usage_copy_import

    def spy(*args: Any, **kwargs: Any) -> Any:
        taken, counts = real(*args, **kwargs)
        calls.append(taken)
        return taken, counts

    monkeypatch.setattr("accounts.importers.usage.usage_copy_import", spy)
    return calls


def _slow(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("accounts.importers.usage.usage_copy_import", lambda *args, **kwargs: (False, None))


def _import(folder: Path, usage: str) -> ImportResult:
    return run(folder, ACCOUNTS | {"usage.csv": usage})


def _forget_usage() -> None:
    UsageEvent.objects.all().delete()
    ChangedUsageDay.objects.all().delete()


def test_odd_but_valid_rows_give_the_events_the_slow_path_gives(
    tmp_path: Path, db: None, fast_calls: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = _import(tmp_path / "fast", VALID)
    assert fast.ok, fast.errors
    assert fast_calls == [True]
    fast_events, fast_days = events(), sorted(ChangedUsageDay.objects.values_list("day", flat=True))

    _forget_usage()
    _slow(monkeypatch)
    slow = _import(tmp_path / "slow", VALID)

    assert slow.ok, slow.errors
    assert fast.summary["usage"].created == slow.summary["usage"].created == 5
    assert fast_events == events()
    assert fast_days == sorted(ChangedUsageDay.objects.values_list("day", flat=True))
    assert ("ACC-1", "u2", "login") in [event[:3] for event in fast_events]  # trimmed as Python trims
    assert ("ACC-2", "u1", "login", datetime.fromisoformat("2024-03-01T10:00:00.25+05:30"), 7) in fast_events


def test_problems_are_the_slow_paths_line_for_line(
    tmp_path: Path, db: None, fast_calls: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = _import(tmp_path / "fast", INVALID)
    assert fast_calls == [True]
    _slow(monkeypatch)
    slow = _import(tmp_path / "slow", INVALID)

    assert not fast.ok
    assert fast.errors == slow.errors
    assert len(fast.errors) == 11
    assert fast.errors[0] == "usage.csv:3: account_id: unknown account 'ACC-9'"
    assert UsageEvent.objects.count() == 0


def test_a_key_twice_in_the_file_merges_and_the_last_line_wins(
    tmp_path: Path, db: None, fast_calls: list[bool]
) -> None:
    usage = VALID + "ACC-1,u1,login,2024-03-01T11:00:00+01:00,9\n"

    result = _import(tmp_path, usage)

    assert result.ok, result.errors
    assert fast_calls == [True]
    assert result.summary["usage"].created == 5
    assert ("ACC-1", "u1", "login", datetime.fromisoformat("2024-03-01T10:00:00Z"), 9) in events()


@pytest.mark.parametrize(
    "usage",
    [
        'account_id,user_id,event,occurred_at\nACC-1,"u,1",login,2024-03-01T10:00:00Z\n',
        "account_id,user_id,event,occurred_at\nACC-1,u1,login,2024-03-01T10:00:00Z\n\\.\nACC-2,u1,x,2024-03-01T10:00:00Z\n",
        "account_id,user_id,event,occurred_at\nACC-1,u1,login,2024-02-30T10:00:00Z\n",
    ],
    ids=["a quoted value", "COPY's end-of-data mark", "a day PostgreSQL refuses"],
)
def test_a_file_the_fast_path_cannot_read_alike_goes_the_slow_way(
    tmp_path: Path, db: None, fast_calls: list[bool], monkeypatch: pytest.MonkeyPatch, usage: str
) -> None:
    fast = _import(tmp_path / "fast", usage)
    fast_events = events()
    _forget_usage()
    _slow(monkeypatch)
    slow = _import(tmp_path / "slow", usage)

    assert fast_calls == [False]
    assert (fast.ok, fast.errors, fast_events) == (slow.ok, slow.errors, events())


def test_a_bundle_rejected_before_usage_still_reports_every_usage_problem(
    tmp_path: Path, db: None, fast_calls: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle = {"accounts.csv": "id,name\nACC-1,Acme\nACC-2,\n", "usage.csv": INVALID}
    fast = run(tmp_path / "fast", bundle)
    _slow(monkeypatch)
    slow = run(tmp_path / "slow", bundle)

    assert fast_calls == [True]
    assert fast.errors == slow.errors
    assert fast.errors[0] == "accounts.csv:3: name: a value is required"
