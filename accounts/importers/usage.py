"""usage.csv, the file with millions of rows (DATA.md §1): product usage events, keyed by
(account, user_id, event, occurred_at as an instant); a key repeated in the file is one event, the last row wins.

Rows are checked in Python (account ids resolved from a map of Keel's accounts, which by then include the
bundle's) and, while the bundle has no problem, COPYed straight into accounts_usageevent in chunks sorted by
key: PostgreSQL inserts one chunk while Python parses the next. That path holds only while every key is new.
The first chunk that meets an existing key (a re-import, overlapping exports, a key twice in the file) fails on
the unique key; then the savepoint is rolled back and the file is read again into a staging table and merged
set-based: deduplicated by key (last line wins), changed counts updated, new events inserted. The first chunk
is small, so that a re-import finds out at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from psycopg import sql
from psycopg.errors import UniqueViolation

from accounts.importers.fields import FieldError, shown
from accounts.importers.progress import ImportProgress
from accounts.importers.reader import BundleFile, ReadError, csv_records
from accounts.importers.report import ErrorLog, FileCounts
from accounts.importers.specs import ACCOUNTS, USAGE
from accounts.importers.staging import FileRows, file_rows
from accounts.services import usage_days_changed
from accounts.sql import compose

# Rows per chunk written straight to accounts_usageevent: sorting bigger chunks helps PostgreSQL more, but
# two of them are in memory at once (about 250 bytes a row).
FIRST_CHUNK_ROWS = 1_000
DIRECT_CHUNK_ROWS = 100_000
# Different count texts whose parse the hot path keeps (counts are small numbers, repeated).
_COUNTS_KEPT = 10_000
_STAGED = "imp_usage"
_DAYS = "imp_usage_days"
# In the order of accounts_usageevent's primary key (account_id, occurred_at, user_id, event), then count.
_COLUMNS = ("account_id", "occurred_at", "user_id", "event", "count")
_TYPES = ["bigint", "timestamptz", "text", "text", "integer"]
_REQUIRED = frozenset(column.name for column in USAGE.columns if column.required)
_COPY_EVENTS = compose("COPY accounts_usageevent ({columns}) FROM STDIN (FORMAT binary)", columns=_COLUMNS)

Event = tuple[int, Any, str, str, int]  # account pk, occurred_at, user_id, event, count: sorted as the key
Line = tuple[int, Event | None]


class _KeyExists(Exception):
    pass


def usage_import(
    cursor: Any, *, file: BundleFile, log: ErrorLog, write: bool, progress: ImportProgress
) -> FileCounts | None:
    """Check every row of usage.csv and, when `write` and no problem turns up, write its events.

    Returns the counts when written. The local days of the events written go into the usage journal
    (`usage_days_changed`), in the import's transaction.
    """
    accounts = _account_ids(cursor)
    problems = log.total
    with csv_records(file) as records:
        rows = file_rows(USAGE, records, log, progress)
        if rows is None:
            return None
        if not rows.present >= _REQUIRED:  # said by the header's check: rows without it are no events
            _drain(((line, None) for line, _, _ in rows), log)  # their other problems, for the report
            return None
        events = _events(rows, accounts, log)
        if not write or log.total > problems:
            _drain(events, log)
            return None
        try:
            written, hours = _copy_direct(cursor, events, log)
        except _KeyExists:
            if log.total > problems:  # the bundle is rejected anyway: just check the rest
                _drain(events, log)
                return None
        else:
            _drain(events, log)
            if log.total > problems:
                return None
            _days_mark(cursor, hours=hours)
            return FileCounts(created=written)
    return _merge_staged(cursor, file=file, accounts=accounts, log=log, problems=problems, progress=progress)


def _account_ids(cursor: Any) -> dict[str, int | None]:
    """Account external id → pk: Keel's accounts, and the bundle's (None when not written: a rejected bundle)."""
    cursor.execute(
        compose(
            """SELECT external_id, id FROM accounts_account
               UNION ALL SELECT DISTINCT s.id, NULL::bigint FROM {staging} s
               WHERE s.id IS NOT NULL AND NOT EXISTS (SELECT FROM accounts_account a WHERE a.external_id = s.id)""",
            staging=ACCOUNTS.table,
        )
    )
    return dict(cursor.fetchall())


def _events(rows: FileRows, accounts: dict[str, int | None], log: ErrorLog) -> Iterator[Line]:
    """Each row's line and event ready to write, or None for a bad row (its problems are in the log).

    A row `_clean` vouches for is taken as it is; any other is read by `_checked`, which says what is wrong with
    it, if anything."""
    clean, checked = _clean(rows, accounts), _checked(rows, accounts, log)
    for line, record in rows.records():
        yield line, clean(record) or checked(line, record)


def _checked(
    rows: FileRows, accounts: dict[str, int | None], log: ErrorLog
) -> Callable[[int, list[str]], Event | None]:
    """A record read by the file's own checks (FileRows.check) and its account looked up: its event, or None
    when it has a problem (in the log) or its account is not written (a refused bundle's)."""
    at_account, at_user, at_event, at_time = (
        rows.index(name) for name in ("account_id", "user_id", "event", "occurred_at")
    )
    at_count = rows.index("count") if "count" in rows.present else None

    def checked(line: int, record: list[str]) -> Event | None:
        read = rows.check(line, record)
        if read is None:
            return None
        ok, values = read
        external_id = values[at_account]
        account = accounts.get(external_id) if isinstance(external_id, str) else None
        if isinstance(external_id, str) and external_id not in accounts:
            log.add(USAGE.name, line, "account_id", f"unknown account {shown(external_id)}")
            ok = False
        if not ok or account is None:
            return None
        count = values[at_count] if at_count is not None else 1
        return account, values[at_time], values[at_user], values[at_event], count  # type: ignore[return-value]

    return checked


def _clean(rows: FileRows, accounts: dict[str, int | None]) -> Callable[[list[str]], Event | None]:
    """The hot path of usage.csv (millions of rows, each costing Python time while PostgreSQL inserts): a raw
    record's event when the record is plainly good, else None, and `_checked` reads it instead.

    It vouches only for what the file's checks would accept with the same values: the header's number of values;
    an account id Keel writes to; user_id and event within their text limits, without NUL; an ISO 8601 instant
    with an offset, of a year 2 … 9998 (parse_datetime's range check is about years 1 and 9999); a blank count
    or one its column's parse accepted before (kept, so the rule stays in fields.parse_whole)."""
    header = rows.header
    width = len(header)
    at_account, at_user, at_event, at_time = (
        header.index(name) for name in ("account_id", "user_id", "event", "occurred_at")
    )
    at_count = header.index("count") if "count" in rows.present else None
    by_name = {column.name: column for column in rows.columns}
    user_limit = by_name["user_id"].text_limit or 0
    event_limit = by_name["event"].text_limit or 0
    count_column = by_name.get("count")
    blank_count = count_column.blank() if count_column is not None else 1
    counts: dict[str, int] = {}
    from_iso = datetime.fromisoformat
    assert not rows.spec.row_rules, "usage.csv has no rules across its columns for this path to skip"

    def count_of(text: str) -> int | None:
        if not text:
            return blank_count  # type: ignore[return-value]
        count = counts.get(text)
        if count is None and count_column is not None and len(counts) < _COUNTS_KEPT:
            try:
                count = counts[text] = count_column.parse(text)  # type: ignore[assignment]
            except FieldError:
                return None
        return count

    def clean(record: list[str]) -> Event | None:
        if len(record) != width:
            return None
        account = accounts.get(record[at_account].strip())
        user, event = record[at_user].strip(), record[at_event].strip()
        if (
            account is None
            or not user
            or not event
            or len(user) > user_limit
            or len(event) > event_limit
            or "\x00" in user
            or "\x00" in event
        ):
            return None
        try:
            at = from_iso(record[at_time].strip())
        except ValueError:
            return None
        if at.tzinfo is None or not 1 < at.year < 9999:
            return None
        count = count_of(record[at_count].strip()) if at_count is not None else 1
        if count is None:
            return None
        return account, at, user, event, count

    return clean


def _drain(events: Iterator[Line], log: ErrorLog) -> None:
    """Check the rest of the file without writing it."""
    try:
        for _ in events:
            pass
    except ReadError as error:
        log.add(USAGE.name, error.line, "row", error.reason)


def _copy_direct(cursor: Any, events: Iterator[Line], log: ErrorLog) -> tuple[int, set[int]]:
    """COPY events into accounts_usageevent until the file ends or a row is bad (the rest stays in `events`).

    Chunk by chunk, each sorted by key (PostgreSQL maintains the unique key far faster in that order than in
    file order) and COPYed by a worker thread on this same connection while this thread parses the next chunk;
    the connection is never used by both at once. Returns the rows written and the UTC hours (since the epoch)
    they fall in. Raises _KeyExists, its savepoint rolled back, when an event's key is there already.
    """
    written = 0
    hours: set[int] = set()
    try:
        with transaction.atomic(), ThreadPoolExecutor(max_workers=1) as worker:
            copying: Future[None] | None = None
            for chunk in _chunks(events, log):  # parses the next chunk while the last one is copied
                chunk.sort()  # by key: (account, occurred_at, user_id, event), as the primary key
                hours.update(int(event[1].timestamp()) // 3600 for event in chunk)
                written += len(chunk)
                if copying is not None:
                    copying.result()
                copying = worker.submit(_copy_chunk, connection.connection, chunk)
            if copying is not None:
                copying.result()
    except UniqueViolation:
        raise _KeyExists from None
    return written, hours


def _chunks(events: Iterator[Line], log: ErrorLog) -> Iterator[list[Event]]:
    """Events in lists (FIRST_CHUNK_ROWS, then DIRECT_CHUNK_ROWS), until the file ends or a row is bad."""
    chunk: list[Event] = []
    size = min(FIRST_CHUNK_ROWS, DIRECT_CHUNK_ROWS)
    try:
        for _, event in events:
            if event is None:
                break
            chunk.append(event)
            if len(chunk) == size:
                yield chunk
                chunk = []
                size = DIRECT_CHUNK_ROWS
    except ReadError as error:
        log.add(USAGE.name, error.line, "row", error.reason)
    if chunk:
        yield chunk


def _copy_chunk(raw_connection: Any, chunk: list[Event]) -> None:
    with (
        raw_connection.cursor() as cursor,
        cursor.copy(_COPY_EVENTS) as copy,
    ):
        copy.set_types(_TYPES)
        write = copy.write_row
        for event in chunk:
            write(event)


def _days_table(cursor: Any) -> None:
    cursor.execute(compose("DROP TABLE IF EXISTS pg_temp.{days}", days=_DAYS))
    cursor.execute(compose("CREATE TEMP TABLE {days} (occurred_at timestamptz) ON COMMIT DROP", days=_DAYS))


def _days_mark(cursor: Any, *, hours: set[int]) -> None:
    """Record the local days of events in these UTC hours as changed. An hour holds at most one local midnight, so its
    first and last second name every local day it touches."""
    _days_table(cursor)
    cursor.execute(
        compose(
            """INSERT INTO {days}
               SELECT to_timestamp(hour * 3600) FROM unnest(%(hours)s::bigint[]) AS hour
               UNION ALL SELECT to_timestamp(hour * 3600 + 3599) FROM unnest(%(hours)s::bigint[]) AS hour""",
            days=_DAYS,
        ),
        {"hours": list(hours)},
    )
    usage_days_changed(table=_DAYS)


def _merge_staged(
    cursor: Any,
    *,
    file: BundleFile,
    accounts: dict[str, int | None],
    log: ErrorLog,
    problems: int,
    progress: ImportProgress,
) -> FileCounts | None:
    """The file again, into a staging table, then merged into accounts_usageevent set-based."""
    usage_staging_create(cursor)
    with csv_records(file) as records:
        rows = file_rows(USAGE, records, log, progress)
        if rows is None:  # pragma: no cover - it was read once already
            return None
        events = _events(rows, accounts, log)
        copy_lines = compose(
            "COPY {staged} ({columns}) FROM STDIN (FORMAT binary)",
            staged=_STAGED,
            columns=["line", *_COLUMNS],
        )
        with cursor.copy(copy_lines) as copy:
            copy.set_types(["bigint", *_TYPES])
            write = copy.write_row
            try:
                for line, event in events:
                    if event is None:
                        break
                    write((line, *event))
            except ReadError as error:
                log.add(USAGE.name, error.line, "row", error.reason)
        _drain(events, log)
    if log.total > problems:
        return None
    return usage_merge(cursor, has_count="count" in rows.present)


def usage_staging_create(cursor: Any) -> str:
    """Create (empty) the temp table `usage_merge` reads, dropped at commit; returns its name. Its columns: line
    (the higher wins among events of one key), account_id, occurred_at, user_id, event, count."""
    # The columns' types are SQL written in this module: code, never input.
    typed = [
        compose("{name} {type}", name=name, type=sql.SQL(sql_type))
        for name, sql_type in zip(_COLUMNS, _TYPES, strict=True)
    ]
    cursor.execute(compose("DROP TABLE IF EXISTS pg_temp.{staged}", staged=_STAGED))
    cursor.execute(
        compose(
            "CREATE TEMP TABLE {staged} (line bigint, {typed}) ON COMMIT DROP", staged=_STAGED, typed=typed
        )
    )
    return _STAGED


def usage_merge(cursor: Any, *, has_count: bool) -> FileCounts:
    """Merge the events staged in `usage_staging_create`'s table into accounts_usageevent, set-based, by the usage
    key (account, user_id, event, occurred_at as an instant; the highest line of a key wins): new keys are
    inserted, and with `has_count` a changed count is updated (without, a known key keeps its count). The local
    days written go into the usage journal. Every writer of usage events other than the COPY path uses it."""
    cursor.execute(compose("ANALYZE {staged}", staged=_STAGED))
    # The key and the changed counts' statement are SQL written here (code, never input), composed as sql.SQL.
    key = sql.SQL(
        "(u.account_id, u.user_id, u.event, u.occurred_at) = (e.account_id, e.user_id, e.event, e.occurred_at)"
    )
    # A left-out `count` keeps the stored one.
    changed = (
        compose(
            """UPDATE accounts_usageevent u SET count = e.count FROM events e WHERE {key} AND u.count <> e.count
               RETURNING u.occurred_at""",
            key=key,
        )
        if has_count
        else sql.SQL("SELECT NULL::timestamptz AS occurred_at WHERE false")
    )
    _days_table(cursor)
    # `days`: one instant per local day (its noon) stands for the day, all usage_days_changed needs.
    cursor.execute(
        compose(
            """
            WITH events AS MATERIALIZED (
                SELECT DISTINCT ON (account_id, occurred_at, user_id COLLATE "C", event COLLATE "C")
                       account_id, occurred_at, user_id, event, count
                FROM {staged}
                ORDER BY account_id, occurred_at, user_id COLLATE "C", event COLLATE "C", line DESC
            ),
            changed AS ({changed}),
            created AS (
                INSERT INTO accounts_usageevent ({columns})
                SELECT e.account_id, e.occurred_at, e.user_id, e.event, e.count FROM events e
                WHERE NOT EXISTS (SELECT FROM accounts_usageevent u WHERE {key})
                RETURNING occurred_at
            ),
            days AS (
                INSERT INTO {days}
                SELECT DISTINCT ((occurred_at AT TIME ZONE %(tz)s)::date + time '12:00') AT TIME ZONE %(tz)s
                FROM (SELECT occurred_at FROM created UNION ALL SELECT occurred_at FROM changed) written
            )
            SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM created), (SELECT count(*) FROM changed)""",
            staged=_STAGED,
            changed=changed,
            columns=_COLUMNS,
            key=key,
            days=_DAYS,
        ),
        {"tz": settings.KEEL_TIMEZONE},
    )
    events, created, updated = cursor.fetchone()
    usage_days_changed(table=_DAYS)
    return FileCounts(created=created, updated=updated, unchanged=events - created - updated)
