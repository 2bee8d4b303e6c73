"""Records posted to the API, imported as a one-file bundle: the same reader, checks and writes as a CSV bundle
(DATA.md §1), so a record the importer would refuse the API refuses too, for the same reason.

The records become the file's CSV text in memory (a field left out of every record is a column left out: the
stored value stays; a null is a blank value: it clears), and each importer problem `file:line: column: reason`
comes back as the record it was found in (its index, from the physical line where its CSV record starts) and
the column. All or nothing: a single problem rolls every record back.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.db import connection, transaction

from accounts.importers.progress import ImportProgress
from accounts.importers.reader import BundleFile, csv_records
from accounts.importers.report import ErrorLog, FileCounts
from accounts.importers.service import file_import
from accounts.importers.specs import SPECS, FileSpec
from accounts.importers.staging import staging_create, staging_drop

Record = Mapping[str, str | None]


@dataclass(frozen=True)
class RecordProblem:
    index: int | None  # the record's position in the list; None for a problem of the whole request
    column: str
    reason: str


@dataclass
class RecordsResult:
    counts: FileCounts | None  # None when rejected
    problems: list[RecordProblem]

    @property
    def ok(self) -> bool:
        return not self.problems


class _NoProgress(ImportProgress):
    """A request's records are read in milliseconds: nobody polls their progress."""

    def __init__(self) -> None:
        super().__init__(0)

    def rows(self, count: int) -> None:
        pass

    def clear(self) -> None:
        pass


class _Rejected(Exception):
    pass


def _csv_file(spec: FileSpec, columns: Sequence[str], records: Sequence[Record]) -> BundleFile:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(columns)
    for record in records:
        writer.writerow(["" if record.get(column) is None else record[column] for column in columns])
    data = text.getvalue().encode("utf-8")
    return BundleFile(spec.name, lambda: io.BytesIO(data))


def _record_of_line(file: BundleFile) -> dict[int, int]:
    """Physical line where each record starts → its index (a value may hold line breaks)."""
    with csv_records(file) as records:
        return {line: index - 1 for index, (line, _) in enumerate(records) if index > 0}


def records_import(*, spec: FileSpec, records: Sequence[Record]) -> RecordsResult:
    """Import `records` (column → text or None, every column one of `spec`'s) as `spec`'s file of a bundle, in
    a transaction of its own (or a savepoint of the caller's). Returns the file's counts, or the problems."""
    columns = [column.name for column in spec.columns if any(column.name in record for record in records)]
    file = _csv_file(spec, columns, records)
    log = ErrorLog(s.name for s in SPECS)
    counts: FileCounts | None = None
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            staging_create(cursor)
            counts = file_import(cursor, spec=spec, file=file, log=log, progress=_NoProgress())
            if log:
                raise _Rejected
            staging_drop(cursor)
    except _Rejected:
        lines = _record_of_line(file)
        problems = [
            RecordProblem(lines.get(problem.line), problem.column, problem.reason or problem.text)
            for problem in log.problems()
        ]
        return RecordsResult(counts=None, problems=problems)
    return RecordsResult(counts=counts, problems=[])
