"""Reading a bundle file: its header checked, each row parsed and checked in Python, then COPYed (binary) into
the file's TEMP staging table for the set-based rules (`rules.py`) and the upserts (`writer.py`).

Every row that has the header's number of values is staged, a bad one too (its bad values NULL, `ok` false), so
that the rules can still report what else is wrong with it. Nothing is written to Keel's tables here; the
staging tables live until the import's transaction ends.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from psycopg import sql

from accounts.importers.fields import FieldError
from accounts.importers.progress import PROGRESS_ROWS, ImportProgress
from accounts.importers.reader import BundleFile, ReadError, csv_records
from accounts.importers.report import ErrorLog
from accounts.importers.specs import SPECS, USAGE, FileSpec, Value
from accounts.sql import compose

Row = list[Value | None]


@dataclass(frozen=True)
class Staged:
    """A file read into its staging table: which columns its header has, and how many rows it staged."""

    spec: FileSpec
    present: frozenset[str]
    rows: int

    def has(self, column: str) -> bool:
        return column in self.present


def staging_create(cursor: Any) -> None:
    """One TEMP table per bundle file (empty when the bundle lacks the file, so rules can always join it)."""
    for spec in SPECS:
        if spec is USAGE:
            continue  # usage has its own path (usage.py)
        # A column's type is SQL written in specs.py: code, never input.
        columns = [
            compose("{name} {type}", name=column.name, type=sql.SQL(column.sql_type))
            for column in spec.columns
        ]
        cursor.execute(compose("DROP TABLE IF EXISTS pg_temp.{table}", table=spec.table))
        cursor.execute(
            compose(
                "CREATE TEMP TABLE {table} (line integer NOT NULL, ok boolean NOT NULL, {columns}) ON COMMIT DROP",
                table=spec.table,
                columns=columns,
            )
        )


def staging_drop(cursor: Any) -> None:
    for spec in SPECS:
        cursor.execute(compose("DROP TABLE IF EXISTS pg_temp.{table}", table=spec.table))


class FileRows:
    """A bundle file's header and its rows, parsed: iterate for (line, ok, values of the present columns).

    Problems go to the log as they are met; a row with one is still yielded (`ok` false, its bad values None).
    The rows read so far go to `progress` every PROGRESS_ROWS rows and at the end. Iterating raises ReadError
    where the file stops being readable. `records` and `check` are the two halves, for a reader with a faster
    path of its own for the rows it can vouch for (usage.csv).
    """

    def __init__(
        self,
        spec: FileSpec,
        header: list[str],
        records: Iterator[tuple[int, list[str]]],
        log: ErrorLog,
        progress: ImportProgress,
    ):
        self.spec = spec
        self.columns = [column for column in spec.columns if column.name in header]
        self.present = frozenset(column.name for column in self.columns)
        self._header = header
        self._records = records
        self._log = log
        self._progress = progress
        self._plan = [
            (
                header.index(column.name),
                column.name,
                column.parse,
                column.required,
                column.blank(),
                column.text_limit,
            )
            for column in self.columns
        ]

    def index(self, column: str) -> int:
        """Position of `column` in the yielded values."""
        return next(i for i, present in enumerate(self.columns) if present.name == column)

    @property
    def header(self) -> list[str]:
        return self._header

    def records(self) -> Iterator[tuple[int, list[str]]]:
        """The file's records after the header, as (line, raw values), the rows read so far going to `progress`
        every PROGRESS_ROWS rows and at the end: what `check` reads."""
        progress, report_at = self._progress, PROGRESS_ROWS
        line = 1
        for line, values in self._records:
            if line > report_at:  # the header is line 1: line − 1 rows read
                progress.rows(line - 1)
                report_at = line - 1 + PROGRESS_ROWS
            yield line, values
        progress.rows(line - 1)

    def check(self, line: int, values: list[str]) -> tuple[bool, Row] | None:
        """One record parsed and checked: (ok, values of the present columns, bad ones None), its problems in
        the log; None when it does not have the header's number of values (said in the log too)."""
        spec, log = self.spec, self._log
        if len(values) != len(self._header):
            log.add(
                spec.name,
                line,
                "row",
                f"{len(values)} values, but the header has {len(self._header)} columns",
            )
            return None
        ok = True
        out: Row = []
        rules = spec.row_rules
        parsed: dict[str, Value] | None = {} if rules else None
        for index, name, parse, required, blank, text_limit in self._plan:
            text = values[index].strip()
            if not text:
                if required:
                    log.add(spec.name, line, name, "a value is required")
                    ok = False
                    out.append(None)
                else:
                    out.append(blank)
                continue
            if text_limit is not None and len(text) <= text_limit and "\x00" not in text:
                value: Value = text
            else:
                try:
                    value = parse(text)
                except FieldError as error:
                    log.add(spec.name, line, name, str(error))
                    ok = False
                    out.append(None)
                    continue
            out.append(value)
            if parsed is not None:
                parsed[name] = value
        if parsed is not None:
            for rule in rules:
                for column, reason in rule(parsed):
                    log.add(spec.name, line, column, reason)
                    ok = False
        return ok, out

    def __iter__(self) -> Iterator[tuple[int, bool, Row]]:
        check = self.check
        for line, values in self.records():
            checked = check(line, values)
            if checked is not None:
                yield line, *checked


def _check_header(spec: FileSpec, header: list[str], log: ErrorLog) -> None:
    known = [column.name for column in spec.columns]
    for position, name in enumerate(header, start=1):
        if not name:
            log.add(spec.name, 1, f"column {position}", "the header names no column here")
        elif name not in known:
            log.add(spec.name, 1, name, f"unknown column; {spec.name} takes {', '.join(known)}")
        elif header.index(name) != position - 1:
            log.add(spec.name, 1, name, "the column appears twice")
    for column in spec.columns:
        if column.required and column.name not in header:
            log.add(spec.name, 1, column.name, "required column is missing")


def file_rows(
    spec: FileSpec, records: Iterator[tuple[int, list[str]]], log: ErrorLog, progress: ImportProgress
) -> FileRows | None:
    """Read and check the header (line 1); None when the file has none. The columns it names rightly are
    read even when it has problems, so that the report lists the rows' problems too."""
    try:
        first = next(records, None)
    except ReadError as error:
        log.add(spec.name, error.line, "row", error.reason)
        return None
    if first is None:
        log.add(spec.name, 1, "header", "the file is empty; its first row must be the header")
        return None
    header = [name.strip().lower() for name in first[1]]
    log.set_header(spec.name, header)
    _check_header(spec, header, log)
    return FileRows(spec, header, records, log, progress)


def stage_file(
    cursor: Any, *, spec: FileSpec, file: BundleFile, log: ErrorLog, progress: ImportProgress
) -> Staged | None:
    """Parse and check every row of `file`, COPY it into the staging table. None when nothing could be read."""
    with csv_records(file) as records:
        rows = file_rows(spec, records, log, progress)
        if rows is None:
            return None
        names = ["line", "ok", *(column.name for column in rows.columns)]
        staged = 0
        unreadable: ReadError | None = None
        copy_rows = compose(
            "COPY {table} ({names}) FROM STDIN (FORMAT binary)", table=spec.table, names=names
        )
        with cursor.copy(copy_rows) as copy:
            copy.set_types(["integer", "boolean", *(column.sql_type for column in rows.columns)])
            try:
                for line, ok, values in rows:
                    copy.write_row((line, ok, *values))
                    staged += 1
            except ReadError as error:
                # Finish the COPY with what was read: failing it would abort the whole transaction.
                unreadable = error
    if unreadable is not None:
        log.add(spec.name, unreadable.line, "row", unreadable.reason)
    cursor.execute(compose("ANALYZE {table}", table=spec.table))
    return Staged(spec, rows.present, staged)
