"""usage.csv's fast path: the file's bytes COPYed as they are into a TEMP staging table, every row checked by
set-based SQL, then merged by `usage.usage_merge`: no Python per row while the rows are plain.

What "plain" means is narrower than what the importer accepts, and every row outside it is read again by the
Python reader of the other files (`staging.FileRows`, `usage._events`), which gives the same values and the
same problems, `file:line: column: reason`, as the slow path. A value is plain when, trimmed as Python trims
(`str.strip`, the same characters), it is: a non-blank id or name of at most 200 characters (the account one
Keel or the bundle has), an ISO 8601 datetime `YYYY-MM-DD[T ]HH:MM:SS[.ffffff](Z|±HH:MM)` of a day that exists,
a year 0002 to 9998 and an offset under 15 hours (both PostgreSQL and Python read it to the same instant), and
a `count` of ASCII digits from 1 to 2,147,483,647 or blank.

Only a file PostgreSQL's CSV reader splits exactly as Python's `csv` module does is taken: one with no double
quote, no `\\.` (COPY's end-of-data mark) and a plain header. Anything COPY refuses (a row with another number
of values, a blank line, bytes that are not UTF-8, a NUL, a stray carriage return) rolls its savepoint back and
the file goes the slow way, whose reader reports it as before. A row's line is its number in the file: with no
quote no value holds a line break, and COPY refuses blank lines.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from typing import IO, Any

from django.conf import settings
from django.db import DatabaseError as DjangoDatabaseError
from django.db import IntegrityError, transaction
from psycopg import Error as DatabaseError
from psycopg import sql

from accounts.importers.progress import PROGRESS_ROWS, ImportProgress
from accounts.importers.reader import BundleFile
from accounts.importers.report import ErrorLog, FileCounts
from accounts.importers.specs import ACCOUNTS, USAGE
from accounts.importers.staging import FileRows
from accounts.services import usage_days_changed
from accounts.sql import compose

_RAW = "imp_usage_raw"
_LINES = "imp_usage_line"
_STAGED = "imp_usage"  # usage.usage_staging_create's table, which usage_merge reads
_ACCOUNTS = "imp_usage_accounts"
_ODD = "imp_usage_odd"
_BLOCK = 1 << 20
_BOM = b"\xef\xbb\xbf"
# Python's csv module refuses a field longer than this (csv.field_size_limit()); COPY takes it.
_CSV_FIELD_LIMIT = csv.field_size_limit()
# A plain value, as bytes: an id or name whose first and last bytes are printable ASCII other than space (so
# nothing to trim), at most 200 bytes (so at most 200 characters); an instant both readers read alike (hours to
# 23 and seconds to 59, which PostgreSQL would roll over, years 0002 to 9998, which Python can shift by any
# offset; a month, day or offset that PostgreSQL refuses fails the COPY'd cast and sends the file the slow way);
# a count from 1 to 999,999,999 or blank.
_IDENTIFIER = rb"[!-~][^,\n]{0,198}(?<=[!-~])"
_INSTANT = (
    rb"(?!000[01]|9999)[0-9]{4}-[0-9]{2}-[0-9]{2}[T ](?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
    rb"(?:\.[0-9]{1,6})?(?:Z|[+-][0-9]{2}:[0-5][0-9])"
)
_COUNT = rb"(?:[1-9][0-9]{0,8})?"


class _NotPlain(Exception):
    """The file is not one the fast path reads exactly as the Python reader: it goes the slow way."""


def usage_copy_import(
    cursor: Any, *, file: BundleFile, log: ErrorLog, write: bool, progress: ImportProgress
) -> tuple[bool, FileCounts | None]:
    """Import usage.csv the fast way when it is plain: (True, what usage_import returns), or (False, None) with
    nothing changed and nothing logged, for the caller's slow path."""
    from accounts.importers.usage import usage_merge, usage_staging_create

    problems = log.total
    try:
        with transaction.atomic():
            header, odd, rows = _copy_raw(cursor, file=file, progress=progress)
            usage_staging_create(cursor)
            _accounts_table(cursor)
            _check(cursor, header=header, odd=odd, rows=rows, log=log)
    except (_NotPlain, DatabaseError, DjangoDatabaseError):
        log.total = problems  # nothing was logged before the checks; keep the count exact all the same
        return False, None
    if not write or log.total > problems:
        return True, None
    created = _insert_new(cursor)
    if created is None:
        return True, usage_merge(cursor, has_count="count" in header)
    return True, FileCounts(created=created)


def _insert_new(cursor: Any) -> int | None:
    """While every key is new (a first import, the next month's export), the staged events go straight in, in
    file order, which keeps an account's keys together in the unique index; the days they touch go into the
    usage journal. None, with nothing written, when a key is there already or twice in the file: then
    `usage_merge` dedupes and merges set-based."""
    from accounts.importers.usage import _DAYS, _days_table

    try:
        with transaction.atomic():
            cursor.execute(
                compose(
                    """INSERT INTO accounts_usageevent (account_id, user_id, event, occurred_at, count)
                       SELECT account_id, user_id, event, occurred_at, count FROM {staged}""",
                    staged=_STAGED,
                )
            )
    except IntegrityError:
        return None
    created: int = cursor.rowcount
    _days_table(cursor)
    cursor.execute(
        compose(
            """INSERT INTO {days}
               SELECT DISTINCT ((occurred_at AT TIME ZONE %(tz)s)::date + time '12:00') AT TIME ZONE %(tz)s
               FROM {staged}""",
            days=_DAYS,
            staged=_STAGED,
        ),
        {"tz": settings.KEEL_TIMEZONE},
    )
    usage_days_changed(table=_DAYS)
    return created


def _header(raw: IO[bytes]) -> list[str]:
    """The header's column names (lower case, trimmed); _NotPlain unless every name is usage.csv's, once, and
    the required ones are there (else the slow path reports the header)."""
    line = raw.readline(_BLOCK)
    if line.startswith(_BOM):
        line = line[len(_BOM) :]
    if not line.endswith(b"\n") or b'"' in line:
        raise _NotPlain
    try:
        text = line.rstrip(b"\r\n").decode("utf-8")
    except UnicodeDecodeError:
        raise _NotPlain from None
    names = [name.strip().lower() for name in next(csv.reader([text]), [])]
    known = [column.name for column in USAGE.columns]
    required = {column.name for column in USAGE.columns if column.required}
    if (
        not names
        or len(set(names)) != len(names)
        or not set(names) <= set(known)
        or not required <= set(names)
    ):
        raise _NotPlain
    return names


def _plain_line(header: list[str]) -> re.Pattern[bytes]:
    """A plain row of a file with this header, as bytes (see the module's docstring)."""
    fields = {
        "account_id": _IDENTIFIER,
        "user_id": _IDENTIFIER,
        "event": _IDENTIFIER,
        "occurred_at": _INSTANT,
        "count": _COUNT,
    }
    return re.compile(b",".join(fields[name] for name in header) + rb"\r?\n")


def _copy_raw(cursor: Any, *, file: BundleFile, progress: ImportProgress) -> tuple[list[str], list[int], int]:
    """COPY the file's rows, as text, into the raw staging table, numbered by their line. Returns the header, the
    lines that are not plain and how many rows there are. Raises _NotPlain (or COPY's error)."""
    with file.open() as raw:
        header = _header(raw)
        cursor.execute(compose("DROP TABLE IF EXISTS pg_temp.{raw}", raw=_RAW))
        cursor.execute(compose("DROP SEQUENCE IF EXISTS pg_temp.{lines}", lines=_LINES))
        cursor.execute(compose("CREATE TEMP SEQUENCE {lines} START 2", lines=_LINES))
        cursor.execute(
            compose(
                "CREATE TEMP TABLE {raw} (line bigint NOT NULL DEFAULT nextval({seq}::regclass), {columns}) "
                "ON COMMIT DROP",
                raw=_RAW,
                seq=sql.Literal(f"pg_temp.{_LINES}"),
                columns=[compose("{name} text", name=name) for name in header],
            )
        )
        line_pattern = _plain_line(header)
        block_pattern = re.compile(b"(?:" + line_pattern.pattern + b")*")
        rows, report_at = 0, PROGRESS_ROWS
        odd: list[int] = []
        with cursor.copy(
            compose("COPY {raw} ({names}) FROM STDIN (FORMAT csv)", raw=_RAW, names=header)
        ) as copy:
            for block in _blocks(raw):
                # `\.` on a line of its own ends COPY's data: look for it anywhere, and for quotes.
                if b'"' in block or b"\\." in block:
                    raise _NotPlain
                copy.write(block)
                if not block_pattern.fullmatch(block):
                    odd += _odd_lines(block, line_pattern, first=rows + 2)
                rows += block.count(b"\n") + (not block.endswith(b"\n"))
                if rows >= report_at:
                    progress.rows(rows)
                    report_at = rows + PROGRESS_ROWS
        progress.rows(rows)
    return header, odd, rows


def _blocks(raw: IO[bytes]) -> Iterator[bytes]:
    """The rest of the file in blocks of whole lines (the last one may lack its line break)."""
    carry = b""
    while data := raw.read(_BLOCK):
        data = carry + data
        end = data.rfind(b"\n") + 1
        if end == 0:
            carry = data
            continue
        carry = data[end:]
        yield data[:end]
    if carry:
        yield carry


def _odd_lines(block: bytes, line_pattern: re.Pattern[bytes], *, first: int) -> list[int]:
    """The lines of `block` (its first one is line `first`) that are not plain."""
    lines = block.split(b"\n")
    if lines[-1] == b"":
        lines.pop()
    return [first + index for index, line in enumerate(lines) if not line_pattern.fullmatch(line + b"\n")]


def _accounts_table(cursor: Any) -> None:
    """The account ids a usage row may name: Keel's (with their pk) and the bundle's not written (NULL pk)."""
    cursor.execute(compose("DROP TABLE IF EXISTS pg_temp.{table}", table=_ACCOUNTS))
    cursor.execute(
        compose(
            """CREATE TEMP TABLE {table} ON COMMIT DROP AS
               SELECT external_id, id FROM accounts_account
               UNION ALL SELECT DISTINCT s.id, NULL::bigint FROM {staging} s
               WHERE s.id IS NOT NULL AND NOT EXISTS (SELECT FROM accounts_account a WHERE a.external_id = s.id)""",
            table=_ACCOUNTS,
            staging=ACCOUNTS.table,
        )
    )
    cursor.execute(compose("ANALYZE {table}", table=_ACCOUNTS))


def _check(cursor: Any, *, header: list[str], odd: list[int], rows: int, log: ErrorLog) -> None:
    """Stage the plain rows of known accounts typed, then read the others with the Python reader."""
    cursor.execute(compose("DROP TABLE IF EXISTS pg_temp.{odd}", odd=_ODD))
    cursor.execute(compose("CREATE TEMP TABLE {odd} (line bigint PRIMARY KEY) ON COMMIT DROP", odd=_ODD))
    if odd:
        cursor.execute(compose("INSERT INTO {odd} SELECT unnest(%s::bigint[])", odd=_ODD), [odd])
        cursor.execute(compose("ANALYZE {odd}", odd=_ODD))
    cursor.execute(compose("ANALYZE {raw}", raw=_RAW))
    count = sql.SQL("coalesce(r.count::integer, 1)" if "count" in header else "1")
    cursor.execute(
        compose(
            """INSERT INTO {staged} (line, account_id, user_id, event, occurred_at, count)
               SELECT r.line, a.id, r.user_id, r.event, r.occurred_at::timestamptz, {count}
               FROM {raw} r JOIN {accounts} a ON a.external_id = r.account_id
               WHERE NOT EXISTS (SELECT FROM {odd} o WHERE o.line = r.line)""",
            staged=_STAGED,
            count=count,
            raw=_RAW,
            accounts=_ACCOUNTS,
            odd=_ODD,
        )
    )
    if cursor.rowcount < rows:
        _check_others(cursor, header=header, log=log)


def _check_others(cursor: Any, *, header: list[str], log: ErrorLog) -> None:
    """The rows not staged (not plain, or of an account not written), read by the Python reader in line order:
    their problems go to `log` exactly as the slow path words them; a row it takes is staged with its values."""
    from accounts.importers.usage import _events

    values = [compose("coalesce(r.{name}, '')", name=name) for name in header]
    cursor.execute(
        compose(
            """SELECT r.line, {values} FROM {raw} r
               WHERE r.line IN (SELECT line FROM {odd})
                  OR NOT EXISTS (SELECT FROM {accounts} a WHERE a.external_id = r.account_id)
               ORDER BY r.line""",
            values=values,
            raw=_RAW,
            odd=_ODD,
            accounts=_ACCOUNTS,
        )
    )
    others = cursor.fetchall()
    if any(len(value) > _CSV_FIELD_LIMIT for row in others for value in row[1:]):
        raise _NotPlain  # Python's csv module refuses it with its own message
    log.set_header(USAGE.name, header)
    rows = FileRows(USAGE, header, iter((line, list(rest)) for line, *rest in others), log, _Quiet())
    cursor.execute(compose("SELECT external_id, id FROM {accounts}", accounts=_ACCOUNTS))
    accounts = dict(cursor.fetchall())
    taken = [(line, *event) for line, event in _events(rows, accounts, log) if event is not None]
    if not taken:
        return
    with cursor.copy(
        compose(
            "COPY {staged} (line, account_id, user_id, event, occurred_at, count) FROM STDIN (FORMAT binary)",
            staged=_STAGED,
        )
    ) as copy:
        copy.set_types(["bigint", "bigint", "text", "text", "timestamptz", "integer"])
        for row in taken:
            copy.write_row(row)


class _Quiet(ImportProgress):
    """The few rows read again are no progress to show: the COPY counted them."""

    def __init__(self) -> None:
        super().__init__(0)

    def rows(self, count: int) -> None:
        pass
