"""usage.csv read by PostgreSQL's COPY (accounts.importers.usage_copy) gives exactly what the Python reader gives:
the same report (file, line, column, reason), the same events and the same days marked; and a file that
PostgreSQL would read otherwise than Python goes to the Python reader whole."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, transaction
from psycopg import sql

from accounts.importers import bundle_import
from accounts.importers import usage as usage_module
from accounts.importers.fields import FieldError, parse_datetime
from accounts.importers.usage_copy import INSTANT, CopyRead, instant_is_plain
from accounts.models import ChangedUsageDay, UsageEvent
from tests.accounts.test_import_helpers import counts, run

ACCOUNTS = {"accounts.csv": "id,name\nACC-1,Acme\nACC-2,Globex\n"}
HEADER = "account_id,user_id,event,occurred_at,count\n"


class _Undo(Exception):
    pass


@dataclass
class _Read:
    """What COPY did with a file: None, it sent it to Python; else how many rows, and how many Python read."""

    copied: CopyRead | None = None
    odd: int = 0


def _outcome(
    folder: Path, usage: str | bytes, monkeypatch: pytest.MonkeyPatch, *, python: bool
) -> dict[str, Any]:
    """Import ACCOUNTS and `usage` (as bytes, exactly) with one reader, note what came of it, and undo it."""
    read = _Read()
    copy_read, odd_records = usage_module.usage_copy_read, usage_module.odd_records

    def spy_read(*args: Any, **kwargs: Any) -> CopyRead | None:
        read.copied = None if python else copy_read(*args, **kwargs)
        return read.copied

    def spy_odd(*args: Any, **kwargs: Any) -> Iterator[list[tuple[int, list[str]]]]:
        for batch in odd_records(*args, **kwargs):
            read.odd += len(batch)
            yield batch

    folder.mkdir()
    (folder / "accounts.csv").write_text(ACCOUNTS["accounts.csv"])
    (folder / "usage.csv").write_bytes(usage.encode() if isinstance(usage, str) else usage)
    with monkeypatch.context() as patch:
        patch.setattr("accounts.importers.usage.usage_copy_read", spy_read)
        patch.setattr("accounts.importers.usage.odd_records", spy_odd)
        try:
            with transaction.atomic():
                result = bundle_import(path=folder)
                outcome = {
                    "ok": result.ok,
                    "errors": result.errors,
                    "counts": counts(result) if result.ok else None,
                    "events": sorted(
                        (e.account.external_id, e.user_id, e.event, e.occurred_at, e.count)
                        for e in UsageEvent.objects.select_related("account")
                    ),
                    "days": sorted(ChangedUsageDay.objects.values_list("day", flat=True)),
                    "read": read,
                }
                raise _Undo
        except _Undo:
            pass
    return outcome


def _both(tmp_path: Path, usage: str | bytes, monkeypatch: pytest.MonkeyPatch) -> _Read:
    """Assert both readers agree on `usage`; return what COPY did with it."""
    by_copy = _outcome(tmp_path / "copy", usage, monkeypatch, python=False)
    by_python = _outcome(tmp_path / "python", usage, monkeypatch, python=True)
    read = by_copy.pop("read")
    by_python.pop("read")
    assert by_copy == by_python
    return read


def test_plain_rows_are_read_by_copy_alone(tmp_path: Path, db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    usage = HEADER + (
        "ACC-1,u1,login,2024-03-01T09:00:00Z,\n"
        "ACC-1,u1,report,2024-03-01 09:05Z,3\n"
        "ACC-2,u9,login,2024-02-29T23:30:00.123-02:00,1\n"
        "ACC-2,u9,login,2024-02-29T23:30:00.123456+14:00,999999999\n"
        "ACC-1,u1,login,2024-03-01T10:00:00+01:00,7\n"  # the first row's key again: the last row wins
    )
    read = _both(tmp_path, usage, monkeypatch)
    assert read.copied is not None
    assert (read.copied.rows, read.odd) == (5, 0)
    assert not UsageEvent.objects.exists()  # undone


def test_rows_copy_cannot_vouch_for_are_read_in_python_with_the_same_values(
    tmp_path: Path, db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Values Python takes after stripping or in another ISO form, beside plain rows."""
    usage = HEADER + (
        "ACC-1,u1,login,2024-03-01T09:00:00Z,1\n"
        " ACC-1 , u2 ,\tlogin ,2024-03-01T09:00:00Z , 3 \n"
        "ACC-1,u3,login,2024-03-01T09:00:00+0100,03\n"
        "ACC-1,u4,login,2024-03-01T09:00:00.1234Z,\n"
        "ACC-1,u5,login,2024-03-01T09:00:00+15:30,\n"
        "ACC-2,ü6,lögin,20240301T090000Z,\n"
        "ACC-2,u7,login,2024-03-01T09:00:00z,1\n"
        "ACC-2,u8,login,2024-03-01T09:00:00-00:00,1\n"
    )
    read = _both(tmp_path, usage, monkeypatch)
    assert read.copied is not None
    assert (read.copied.rows, read.odd) == (
        8,
        6,
    )  # the first and the last are plain: every other went to Python


def test_bad_rows_get_the_same_report_by_either_reader(
    tmp_path: Path, db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    long = "x" * 201
    usage = HEADER + (
        "ACC-1,u1,login,2024-03-01T09:00:00Z,1\n"
        "ACC-9,u1,login,2024-03-01T09:00:00Z,1\n"
        ",u1,login,2024-03-01T09:00:00Z,1\n"
        "ACC-1,,login,2024-03-01T09:00:00Z,1\n"
        f"ACC-1,{long},login,2024-03-01T09:00:00Z,1\n"
        f"ACC-1,u1,{long},2024-03-01T09:00:00Z,1\n"
        "ACC-1,u1,login,2023-02-29T09:00:00Z,1\n"
        "ACC-1,u1,login,2024-04-31T09:00:00Z,1\n"
        "ACC-1,u1,login,2024-13-01T09:00:00Z,1\n"
        "ACC-1,u1,login,2024-03-01T24:00:00Z,1\n"
        "ACC-1,u1,login,2024-03-01T23:60:00Z,1\n"
        "ACC-1,u1,login,2024-03-01T23:59:60Z,1\n"
        "ACC-1,u1,login,2024-03-01T09:00:00,1\n"
        "ACC-1,u1,login,2024-03-01T09:00:00+24:00,1\n"
        "ACC-1,u1,login,yesterday,1\n"
        "ACC-1,u1,login,,1\n"
        "ACC-1,u1,login,2024-03-01T09:00:00Z,0\n"
        "ACC-1,u1,login,2024-03-01T09:00:00Z,-1\n"
        "ACC-1,u1,login,2024-03-01T09:00:00Z,1.5\n"
        "ACC-1,u1,login,2024-03-01T09:00:00Z,2147483648\n"
        "ACC-1,u1,login,0001-01-01T00:00:00+01:00,1\n"
        "ACC-1,u1,login,2024-03-01T09:00:00Z,1\n"
    )
    read = _both(tmp_path, usage, monkeypatch)
    assert read.copied is not None and read.odd == read.copied.rows - 2


@pytest.mark.parametrize(
    "usage",
    [
        pytest.param(HEADER + 'ACC-1,"u1",login,2024-03-01T09:00:00Z,1\n', id="a quoted value"),
        pytest.param(
            HEADER + 'ACC-1,"u1\nu2",login,2024-03-01T09:00:00Z,1\nACC-1,u3,x,bad,1\n',
            id="a newline in quotes",
        ),
        pytest.param(
            HEADER + "ACC-1,u1,login,2024-03-01T09:00:00Z,1\n\nACC-1,u2,login,bad,1\n", id="a blank line"
        ),
        pytest.param(
            HEADER + "ACC-1,u1,login,2024-03-01T09:00:00Z,1\n\\.\nACC-1,u2,login,bad,1\n", id="a line \\."
        ),
        pytest.param(
            HEADER + "ACC-1,u1,login,2024-03-01T09:00:00Z,1\rACC-1,u2,login,bad,1\n",
            id="a carriage return alone",
        ),
        pytest.param(
            HEADER + "ACC-1,u1,login,2024-03-01T09:00:00Z\nACC-1,u2,login,bad,1\n", id="a row too short"
        ),
        pytest.param(HEADER + "ACC-1,u1,login,2024-03-01T09:00:00Z,1,9\n", id="a row too long"),
        pytest.param(
            (HEADER + "ACC-1,u\xff1,login,2024-03-01T09:00:00Z,1\nACC-1,u2,login,bad,1\n").encode("latin-1"),
            id="not UTF-8",
        ),
        pytest.param(HEADER + "ACC-1,u\x001,login,2024-03-01T09:00:00Z,1\n", id="a NUL character"),
        pytest.param(
            "account_id,user_id,event,occurred_at,colour\nACC-1,u1,login,2024-03-01T09:00:00Z,red\n",
            id="a header problem",
        ),
    ],
)
def test_what_postgresql_reads_otherwise_goes_to_python_whole(
    tmp_path: Path, db: None, monkeypatch: pytest.MonkeyPatch, usage: str | bytes
) -> None:
    assert _both(tmp_path, usage, monkeypatch).copied is None


def test_windows_line_ends_and_a_byte_order_mark_are_read_by_copy(
    tmp_path: Path, db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    usage = "\ufeff" + (HEADER + "ACC-1,u1,login,2024-03-01T09:00:00Z,2\nACC-2,u2,login,bad,1\n").replace(
        "\n", "\r\n"
    )
    read = _both(tmp_path, usage, monkeypatch)
    assert read.copied is not None and (read.copied.rows, read.odd) == (2, 1)


def test_reimporting_through_copy_merges_by_key(tmp_path: Path, db: None) -> None:
    usage = HEADER + "ACC-1,u1,login,2024-03-01T09:00:00Z,1\nACC-1,u2,login,2024-03-01T09:00:00Z,1\n"
    first = run(tmp_path / "first", ACCOUNTS | {"usage.csv": usage})
    again = run(
        tmp_path / "again",
        ACCOUNTS
        | {"usage.csv": usage.replace("u2,login,2024-03-01T09:00:00Z,1", "u2,login,2024-03-01T09:00:00Z,4")},
    )
    assert counts(first)["usage"] == (2, 0, 0)
    assert counts(again)["usage"] == (0, 1, 1)
    assert sorted(UsageEvent.objects.values_list("user_id", "count")) == [("u1", 1), ("u2", 4)]


_SHAPES = [
    f"DDDD-DD-DD{separator}DD:DD{seconds}{zone}"
    for separator in ("T", " ")
    for seconds in ("", ":DD", ":DD.DDD", ":DD.DDDDDD")
    for zone in ("Z", "+DD:DD", "-DD:DD")
]


def _random_instants(count: int) -> list[str]:
    """Texts of the plain shapes with digits anywhere in range or out of it."""
    rng = random.Random(16)
    texts = []
    for _ in range(count):
        shape = rng.choice(_SHAPES)
        text = "".join(str(rng.randrange(10)) if ch == "D" else ch for ch in shape)
        if rng.random() < 0.5:  # realistic fields, so that many are valid
            text = (
                f"{rng.randrange(1900, 2100):04d}-{rng.randrange(0, 14):02d}-{rng.randrange(0, 33):02d}"
                + text[10]
                + f"{rng.randrange(0, 25):02d}:{rng.randrange(0, 61):02d}"
                + text[16:]
            )
        if rng.random() < 0.2:  # a near miss: one character changed
            at = rng.randrange(len(text))
            text = text[:at] + rng.choice(" +-.:/aTZ٣") + text[at + 1 :]
        texts.append(text)
    return texts


def test_every_instant_sql_calls_plain_is_the_same_instant_to_python(db: None) -> None:
    """The plain-datetime test of usage_copy against fields.parse_datetime, on 20,000 texts of its shapes."""
    texts = [
        *_random_instants(20000),
        "2024-02-29T00:00Z",
        "2100-02-29T00:00Z",
        "2000-02-29 23:59:59.999999-14:59",
        "0001-01-01T00:00:00+01:00",
        "0999-12-31T23:59Z",
        "9999-12-31T23:59:59-01:00",
        "0000-01-01T00:00Z",
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            sql.SQL(
                "SELECT v, CASE WHEN {plain} THEN v::timestamptz END FROM unnest(%(texts)s::text[]) v"
            ).format(plain=instant_is_plain(sql.SQL("v"))),
            {"texts": texts, "instant": INSTANT},
        )
        read = cursor.fetchall()
    plain = 0
    for text, instant in read:
        if instant is None:
            continue
        plain += 1
        try:
            expected = parse_datetime(text).astimezone(UTC)
        except FieldError:  # pragma: no cover - the assertion below says which
            expected = None
        assert instant == expected, text
    assert plain > 1_500  # of the 10,000 realistic ones, about 2,000 are a plain instant
    assert datetime(2024, 2, 29, tzinfo=UTC) in {instant for _, instant in read}
