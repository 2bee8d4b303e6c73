"""usage.csv read by PostgreSQL itself (DATA.md §1; issue 16's import rate): the file's bytes are COPYed as text
into a staging table, its rows checked set-based in SQL, and only the rows SQL cannot vouch for are read in
Python, by the same code as every other file (`FileRows`), so that every message and every value is the one the
Python reader would give.

A row SQL vouches for ("plain") is one whose values need no stripping and are of the one common shape of their
column: an account id Keel knows, written exactly; user_id and event of at most 200 characters starting and
ending with a visible ASCII character; occurred_at as `YYYY-MM-DD`, `T` or a space, `HH:MM`, optional `:SS` with
optional 3 or 6 decimals, then `Z` or `±HH:MM` (at most ±14:59), a real day and time in the years 1000 … 9998 (every such text is an ISO 8601 datetime to
Python's `datetime.fromisoformat` with the same instant); count empty or 1 … 999,999,999 in ASCII digits. Any
other row (a blank in a required column, an unknown account, another datetime form) goes through Python.

The file takes this path only when PostgreSQL's CSV reader and Python's read it alike with the same line
numbers: no quote character anywhere, every carriage return before a line feed, no blank line, no line `\\.`
(COPY's end of data), UTF-8 throughout, and every row as wide as the header. Anything else is not an error here:
`usage_copy_stage` returns None, leaves nothing behind, and the caller reads the file in Python.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import psycopg
from django.db import DatabaseError, transaction
from psycopg import sql

from accounts.importers.progress import PROGRESS_ROWS, ImportProgress, QuietProgress
from accounts.importers.reader import BundleFile, ReadError, csv_records
from accounts.importers.report import ErrorLog
from accounts.importers.specs import ACCOUNTS, USAGE
from accounts.importers.staging import file_rows
from accounts.sql import compose

_RAW = "imp_usage_raw"
_KNOWN = "imp_usage_accounts"
_BLOCK = 1 << 20  # bytes sent to COPY at a time
_ODD_BATCH = 10_000  # rows fetched at a time for the Python reader

# A plain occurred_at: years 1000 … 9998 (Python holds every instant of them whatever the offset), months, days
# (to 31), hours, minutes and seconds in range, 3 or 6 decimals, Z or an offset to ±14:59.
INSTANT = (
    r"^([1-8][0-9]{3}|9[0-8][0-9]{2}|99[0-8][0-9]|999[0-8])-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
    r"[T ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{3}|\.[0-9]{6})?)?(Z|[+-](0[0-9]|1[0-4]):[0-5][0-9])$"
)


class _NotPlain(Exception):
    """The file needs the Python reader."""


@dataclass(frozen=True)
class CopyRead:
    """usage.csv read by COPY into the raw table: the header's columns and how many rows."""

    header: list[str]
    rows: int

    @property
    def present(self) -> frozenset[str]:
        return frozenset(self.header)


def usage_copy_read(
    cursor: Any, *, file: BundleFile, log: ErrorLog, progress: ImportProgress
) -> CopyRead | None:
    """COPY usage.csv's rows as text into the raw table, beside the accounts they may name. None, with nothing
    logged or left behind, when the file needs the Python reader instead."""
    header = _header(file)
    if header is None:
        return None
    try:
        with transaction.atomic():
            rows = _copy_raw(cursor, file=file, header=header, progress=progress)
    except (_NotPlain, psycopg.Error, DatabaseError):
        return None
    log.set_header(USAGE.name, header)
    progress.rows(rows)
    cursor.execute(compose("ANALYZE {raw}", raw=_RAW))  # unanalysed, it looks like ten pages: a nested loop
    cursor.execute(compose("DROP TABLE IF EXISTS pg_temp.{known}", known=_KNOWN))
    # Keel's accounts, and the bundle's not written (a rejected bundle): their rows are checked, not written.
    cursor.execute(
        compose(
            """CREATE TEMP TABLE {known} ON COMMIT DROP AS
               SELECT external_id, id FROM accounts_account
               UNION ALL SELECT DISTINCT s.id, NULL::bigint FROM {accounts} s
               WHERE s.id IS NOT NULL AND NOT EXISTS (SELECT FROM accounts_account a WHERE a.external_id = s.id)""",
            known=_KNOWN,
            accounts=ACCOUNTS.table,
        )
    )
    cursor.execute(compose("ANALYZE {known}", known=_KNOWN))
    return CopyRead(header=header, rows=rows)


# The plain rows of known accounts, typed as accounts_usageevent's columns.
_PLAIN_EVENTS = """
    SELECT r.line, k.id AS account_id, r.occurred_at::timestamptz AS occurred_at, r.user_id, r.event,
           {count} AS count
    FROM {raw} r JOIN {known} k ON k.external_id = r.account_id
    WHERE {plain}"""


def _plain_events(copied: CopyRead, *, first_lines: int | None = None) -> sql.Composable:
    plain = _plain(copied.header)
    if first_lines is not None:
        plain = compose("r.line < {stop} AND {plain}", stop=sql.Literal(first_lines + 2), plain=plain)
    return compose(
        _PLAIN_EVENTS,
        count=sql.SQL("coalesce(r.count::int, 1)" if "count" in copied.header else "1"),
        raw=_RAW,
        known=_KNOWN,
        plain=plain,
    )


def usage_copy_seen(cursor: Any, *, copied: CopyRead, lines: int) -> bool:
    """Whether a plain event among the file's first `lines` rows is stored already (a re-import, an overlapping
    export): then writing every row straight in would fail at the end, after all the work."""
    cursor.execute(
        compose(
            """SELECT EXISTS (SELECT FROM ({events}) e JOIN accounts_usageevent u
               ON (u.account_id, u.occurred_at, u.user_id, u.event) = (e.account_id, e.occurred_at, e.user_id, e.event))""",
            events=_plain_events(copied, first_lines=lines),
        ),
        {"instant": INSTANT},
    )
    return bool(cursor.fetchone()[0])


def usage_copy_insert(cursor: Any, *, copied: CopyRead, columns: Sequence[str], days: str, tz: str) -> int:
    """Insert the plain rows straight into accounts_usageevent, in key order, and the local days they fall on
    (each as its noon) into the temp table `days`; how many. Raises IntegrityError when a key is there already
    or twice in the file."""
    with _hash_joins(cursor):
        cursor.execute(
            compose(
                """WITH events AS (
                       INSERT INTO accounts_usageevent ({columns})
                       SELECT {columns} FROM ({events}) e WHERE account_id IS NOT NULL
                       ORDER BY account_id, occurred_at, user_id COLLATE "C", event COLLATE "C"
                       RETURNING occurred_at
                   ), marked AS (
                       INSERT INTO {days}
                       SELECT DISTINCT ((occurred_at AT TIME ZONE %(tz)s)::date + time '12:00') AT TIME ZONE %(tz)s
                       FROM events
                   )
                   SELECT count(*) FROM events""",
                columns=list(columns),
                events=_plain_events(copied),
                days=sql.Identifier(days),
            ),
            {"instant": INSTANT, "tz": tz},
        )
        return int(cursor.fetchone()[0])


def usage_copy_stage(cursor: Any, *, copied: CopyRead, staged: str) -> None:
    """Stage the plain rows of known accounts in `staged` (`usage_staging_create`'s table), for the merge."""
    with _hash_joins(cursor):
        cursor.execute(
            compose(
                "INSERT INTO {staged} (line, account_id, occurred_at, user_id, event, count) {events}",
                staged=sql.Identifier(staged),
                events=_plain_events(copied),
            ),
            {"instant": INSTANT},
        )


def odd_records(cursor: Any, *, copied: CopyRead) -> Iterator[list[tuple[int, list[str]]]]:
    """The rows that are not plain or name no known account, in line order, as the CSV reader gives them (line,
    values in the header's order), a batch at a time; the connection is free between batches."""
    names = [compose("r.{name}", name=name) for name in copied.header]
    with _hash_joins(cursor), cursor.connection.cursor(name="imp_usage_odd") as odd:
        odd.execute(
            compose(
                """SELECT r.line, {names} FROM {raw} r LEFT JOIN {known} k ON k.external_id = r.account_id
                   WHERE NOT coalesce(k.external_id IS NOT NULL AND {plain}, false) ORDER BY r.line""",
                names=names,
                raw=_RAW,
                known=_KNOWN,
                plain=_plain(copied.header),
            ),
            {"instant": INSTANT},
        )
        while batch := odd.fetchmany(_ODD_BATCH):
            yield [(line, [value or "" for value in values]) for line, *values in batch]


def usage_copy_done(cursor: Any) -> None:
    cursor.execute(compose("DROP TABLE IF EXISTS pg_temp.{raw}, pg_temp.{known}", raw=_RAW, known=_KNOWN))


@contextmanager
def _hash_joins(cursor: Any) -> Iterator[None]:
    """No nested loops while joining the raw rows to the accounts: PostgreSQL estimates that one raw row in
    millions is plain (the product of default selectivities), and would scan the accounts once per row."""
    cursor.execute("SELECT current_setting('enable_nestloop')")
    (before,) = cursor.fetchone()
    cursor.execute("SELECT set_config('enable_nestloop', 'off', true)")
    yield  # after an error, rolling back to the savepoint before restores the setting too
    cursor.execute("SELECT set_config('enable_nestloop', %s, true)", [before])


def _header(file: BundleFile) -> list[str] | None:
    """The header's column names when the header is right (no problem to report), else None."""
    probe = ErrorLog([USAGE.name])
    with csv_records(file) as records:
        try:
            rows = file_rows(USAGE, records, probe, QuietProgress())
        except ReadError:  # pragma: no cover - file_rows logs a header it cannot read
            return None
    return None if rows is None or probe.total else rows.header


def _copy_raw(cursor: Any, *, file: BundleFile, header: list[str], progress: ImportProgress) -> int:
    """COPY the file's rows as text into the raw table, numbered by their line; raises _NotPlain (or PostgreSQL's
    error) when the file is not one PostgreSQL reads as Python does."""
    cursor.execute(compose("DROP TABLE IF EXISTS pg_temp.{raw}", raw=_RAW))
    columns = [compose("{name} text", name=name) for name in header]
    cursor.execute(
        compose(
            "CREATE TEMP TABLE {raw} (line bigint GENERATED ALWAYS AS IDENTITY (START WITH 2), {columns})"
            " ON COMMIT DROP",
            raw=_RAW,
            columns=columns,
        )
    )
    lines = 0
    report_at = PROGRESS_ROWS
    with (
        file.open() as raw,
        cursor.copy(compose("COPY {raw} ({names}) FROM STDIN (FORMAT csv)", raw=_RAW, names=header)) as copy,
    ):
        first = raw.readline()
        if b'"' in first or not first.strip() or (b"\r" in first and not first.endswith(b"\r\n")):
            raise _NotPlain
        carry = b""
        while block := raw.read(_BLOCK):
            data = carry + block
            cut = data.rfind(b"\n") + 1
            piece, carry = data[:cut], data[cut:]
            _check(piece)
            copy.write(piece)
            lines += piece.count(b"\n")
            if lines >= report_at:
                progress.rows(lines)
                report_at = lines + PROGRESS_ROWS
        if carry:
            if (b"\n" + carry).endswith(b"\n\\.") or b"\r" in carry:
                raise _NotPlain
            _check(carry)
            copy.write(carry)
            lines += 1
    return lines


def _check(piece: bytes) -> None:
    """Raise _NotPlain when these whole lines hold what PostgreSQL's CSV reader reads otherwise than Python's."""
    if b'"' in piece or (b"\r" in piece and b"\r" in piece.replace(b"\r\n", b"")):
        raise _NotPlain
    framed = b"\n" + piece
    if b"\n\n" in framed or b"\n\r\n" in framed or b"\n\\.\n" in framed or b"\n\\.\r\n" in framed:
        raise _NotPlain


def _visible(column: sql.Composable) -> sql.Composable:
    """A text that strip() leaves alone and the column's limit holds: visible ASCII at both ends, ≤ 200 long."""
    return compose(
        "(ascii({c}) BETWEEN 33 AND 126 AND ascii(right({c}, 1)) BETWEEN 33 AND 126 AND char_length({c}) <= 200)",
        c=column,
    )


def instant_is_plain(column: sql.Composable) -> sql.Composable:
    """A plain occurred_at (see the module's docstring): one pattern for the shape and the ranges of its fields
    (measured on 1.4M rows: 2.2 s, most of the check), then the days of the month past the 28th. CASE keeps the
    second test behind the first (PostgreSQL may reorder the terms of an AND)."""
    return compose(
        """CASE WHEN NOT {c} ~ %(instant)s THEN false
                WHEN substr({c}, 9, 2) COLLATE "C" <= '28' THEN true
                ELSE substr({c}, 9, 2) COLLATE "C" <= CASE substr({c}, 6, 2)
                    WHEN '02' THEN CASE WHEN substr({c}, 1, 4)::int %% 4 = 0
                                             AND (substr({c}, 1, 4)::int %% 100 <> 0 OR substr({c}, 1, 4)::int %% 400 = 0)
                                        THEN '29' ELSE '28' END
                    WHEN '04' THEN '30' WHEN '06' THEN '30' WHEN '09' THEN '30' WHEN '11' THEN '30' ELSE '31' END
           END""",
        c=column,
    )


def _plain(header: list[str]) -> sql.Composable:
    """The test of a plain row of the raw table `r` (see the module's docstring), its account aside."""
    terms = [
        _visible(sql.SQL("r.user_id")),
        _visible(sql.SQL("r.event")),
        instant_is_plain(sql.SQL("r.occurred_at")),
    ]
    if "count" in header:
        terms.append(sql.SQL("(r.count IS NULL OR r.count ~ '^[1-9][0-9]{0,8}$')"))
    return sql.SQL(" AND ").join(terms)
