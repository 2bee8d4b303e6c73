"""usage.csv: no ids; the key is (account, user_id, event, occurred_at as an instant); a key repeated in the file
is one event and the last row wins; re-importing never doubles events (DATA.md §1). The local days of events
written are marked for the metrics pipeline."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.test import override_settings

from accounts.models import ChangedUsageDay, UsageEvent
from tests.accounts.test_import_helpers import counts, database_state, run

ACCOUNTS = {"accounts.csv": "id,name\nACC-1,Acme\nACC-2,Globex\n"}


def events() -> list[tuple[str, str, str, datetime, int]]:
    return [
        (e.account.external_id, e.user_id, e.event, e.occurred_at, e.count)
        for e in UsageEvent.objects.select_related("account").order_by(
            "account__external_id", "user_id", "event", "occurred_at"
        )
    ]


@pytest.fixture(params=[100_000, 2], ids=["one chunk", "chunks of 2"])
def chunk_rows(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    """The direct path writes chunk by chunk: run each test with one chunk and with many."""
    monkeypatch.setattr("accounts.importers.usage.DIRECT_CHUNK_ROWS", request.param)
    return int(request.param)


def test_the_same_instant_written_with_two_offsets_is_one_event_and_the_last_row_wins(
    tmp_path: Path, db: None, chunk_rows: int
) -> None:
    result = run(
        tmp_path,
        ACCOUNTS
        | {
            "usage.csv": """\
                account_id,user_id,event,occurred_at,count
                ACC-1,u1,login,2024-03-01T10:00:00+01:00,2
                ACC-2,u1,login,2024-03-01T09:00:00Z,1
                ACC-1,u1,login,2024-03-01T09:00:00Z,5
                ACC-1,u1,login,2024-03-01T04:00:00-05:00,7
                ACC-1,u2,login,2024-03-01T09:00:00Z,
                """
        },
    )

    assert result.ok, result.errors
    assert counts(result) == {"accounts": (2, 0, 0), "usage": (3, 0, 0)}
    nine = datetime(2024, 3, 1, 9, tzinfo=UTC)
    assert events() == [
        ("ACC-1", "u1", "login", nine, 7),
        ("ACC-1", "u2", "login", nine, 1),
        ("ACC-2", "u1", "login", nine, 1),
    ]


def test_reimporting_does_not_double_events_and_a_changed_count_updates(
    tmp_path: Path, db: None, chunk_rows: int
) -> None:
    usage = """\
        account_id,user_id,event,occurred_at,count
        ACC-1,u1,login,2024-03-01T09:00:00Z,1
        ACC-1,u1,login,2024-03-02T09:00:00Z,1
        ACC-1,u1,report,2024-03-02T09:00:00Z,1
        """
    assert run(tmp_path / "one", ACCOUNTS | {"usage.csv": usage}).ok
    state = database_state()

    again = run(tmp_path / "two", {"usage.csv": usage})
    assert counts(again) == {"usage": (0, 0, 3)}
    assert database_state() == state

    # the same events written with other offsets, one count changed, one event new
    changed = run(
        tmp_path / "three",
        {
            "usage.csv": """\
                account_id,user_id,event,occurred_at,count
                ACC-1,u1,login,2024-03-01T10:00:00+01:00,1
                ACC-1,u1,login,2024-03-02T04:00:00-05:00,4
                ACC-1,u1,report,2024-03-02T09:00:00Z,1
                ACC-2,u7,login,2024-03-03T09:00:00Z,1
                """
        },
    )
    assert changed.ok, changed.errors
    assert counts(changed) == {"usage": (1, 1, 2)}
    assert UsageEvent.objects.count() == 4
    assert [count for *_, count in events()] == [1, 4, 1, 1]


def test_a_left_out_count_keeps_the_stored_one_and_new_events_count_one(tmp_path: Path, db: None) -> None:
    assert run(
        tmp_path / "one",
        ACCOUNTS
        | {
            "usage.csv": "account_id,user_id,event,occurred_at,count\nACC-1,u1,login,2024-03-01T09:00:00Z,3\n"
        },
    ).ok

    result = run(
        tmp_path / "two",
        {
            "usage.csv": "account_id,user_id,event,occurred_at\nACC-1,u1,login,2024-03-01T09:00:00Z\nACC-1,u1,login,2024-03-01T10:00:00Z\n"
        },
    )

    assert counts(result) == {"usage": (1, 0, 1)}
    assert [count for *_, count in events()] == [3, 1]


def test_a_key_that_exists_in_a_later_chunk_still_merges(
    tmp_path: Path, db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The direct path writes chunks until one meets an existing key, then the whole file is merged instead."""
    monkeypatch.setattr("accounts.importers.usage.DIRECT_CHUNK_ROWS", 2)
    assert run(
        tmp_path / "one",
        ACCOUNTS
        | {"usage.csv": "account_id,user_id,event,occurred_at\nACC-2,u9,login,2024-03-09T09:00:00Z\n"},
    ).ok
    rows = "".join(f"ACC-1,u{n},login,2024-03-01T09:00:00Z,1\n" for n in range(5))

    result = run(
        tmp_path / "two",
        {
            "usage.csv": "account_id,user_id,event,occurred_at,count\n"
            + rows
            + "ACC-2,u9,login,2024-03-09T09:00:00Z,2\n"
        },
    )

    assert counts(result) == {"usage": (5, 1, 0)}
    assert UsageEvent.objects.count() == 6
    assert UsageEvent.objects.get(user_id="u9").count == 2


@override_settings(KEEL_TIMEZONE="America/New_York")
def test_the_local_days_of_events_written_are_marked_stale_and_only_those(
    tmp_path: Path, db: None, chunk_rows: int
) -> None:
    """02:30Z on 3 March is still 2 March in New York; an unchanged re-import marks nothing."""
    usage = "account_id,user_id,event,occurred_at\nACC-1,u1,login,2024-03-03T02:30:00Z\nACC-1,u1,login,2024-03-05T15:00:00Z\n"
    assert run(tmp_path / "one", ACCOUNTS | {"usage.csv": usage}).ok
    assert sorted(ChangedUsageDay.objects.values_list("day", flat=True)) == [
        date(2024, 3, 2),
        date(2024, 3, 5),
    ]

    ChangedUsageDay.objects.all().delete()
    assert run(tmp_path / "two", {"usage.csv": usage}).ok
    assert not ChangedUsageDay.objects.exists()

    assert run(
        tmp_path / "three",
        {"usage.csv": "account_id,user_id,event,occurred_at,count\nACC-1,u1,login,2024-03-05T15:00:00Z,2\n"},
    ).ok
    assert list(ChangedUsageDay.objects.values_list("day", flat=True)) == [date(2024, 3, 5)]


def test_a_bad_row_after_good_ones_writes_nothing(tmp_path: Path, db: None, chunk_rows: int) -> None:
    rows = "".join(f"ACC-1,u{n},login,2024-03-01T09:00:00Z\n" for n in range(5))
    result = run(
        tmp_path,
        ACCOUNTS
        | {
            "usage.csv": "account_id,user_id,event,occurred_at\n"
            + rows
            + "ACC-1,,login,2024-03-01T09:00:00Z\n"
            + rows
        },
    )
    assert result.errors == ["usage.csv:7: user_id: a value is required"]
    assert not UsageEvent.objects.exists()
