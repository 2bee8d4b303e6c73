"""`bundle_import`: a CSV bundle into Keel, all or nothing (DATA.md §1)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from accounts.importers.lock import import_lock
from accounts.importers.progress import ImportProgress
from accounts.importers.reader import BundleError, BundleFile, open_bundle
from accounts.importers.report import MAX_REPORTED, ErrorLog, FileCounts
from accounts.importers.rules import file_check
from accounts.importers.specs import SPECS, SUBSCRIPTIONS, USAGE, FileSpec
from accounts.importers.staging import stage_file, staging_create, staging_drop
from accounts.importers.usage import usage_import
from accounts.importers.warnings import inclusive_end_warnings
from accounts.importers.writer import file_write
from accounts.models import DataSource, ImportRun, User
from accounts.services.sources import source_accepted, source_rejected

# Session settings for the import's transaction only. Losing the last commit in a crash is harmless (the
# bundle is imported again), and sorts of millions of staged rows should stay in memory where they can.
_TRANSACTION_SETTINGS = ("SET LOCAL synchronous_commit = off", "SET LOCAL work_mem = '256MB'")


@dataclass
class ImportResult:
    ok: bool
    dry_run: bool
    errors: list[str]  # `file:line: column: reason`, then "… and N more problems" past the report's limit
    summary: dict[str, FileCounts]  # per file of the bundle ("accounts", "usage", …), in SPECS order
    run: ImportRun

    def report_lines(self) -> list[str]:
        """What a person reads: every problem and a verdict, or a count line per file and the warnings."""
        if not self.ok:
            return [*self.errors, "Rejected: nothing was imported."]
        lines = [f"{name}: {counts.describe()}" for name, counts in self.summary.items()]
        lines += [f"Warning: {warning}" for warning in self.run.warnings]
        if self.dry_run:
            lines.append("Dry run: the bundle is valid; nothing was saved.")
        return lines


def file_import(
    cursor: Any, *, spec: FileSpec, file: BundleFile, log: ErrorLog, progress: ImportProgress
) -> FileCounts | None:
    """Read, check and (while `log` is still empty) write one file of a bundle, in the caller's transaction,
    after `staging_create`: its counts when written, None when it was not. After a problem, later files are
    still read and checked, for the report, but not written. The API writes its records through this too."""
    progress.file(spec.name)
    if spec is USAGE:
        return usage_import(cursor, file=file, log=log, write=not log, progress=progress)
    staged = stage_file(cursor, spec=spec, file=file, log=log, progress=progress)
    if staged is None:
        return None
    file_check(cursor, staged=staged, log=log)
    if spec is SUBSCRIPTIONS:
        inclusive_end_warnings(cursor, log=log)
    return None if log else file_write(cursor, staged=staged, today=timezone.localdate())


class _Rollback(Exception):
    pass


def bundle_import(
    *,
    path: Path,
    dry_run: bool = False,
    user: User | None = None,
    source: str = ImportRun.Source.COMMAND,
    run: ImportRun | None = None,
) -> ImportResult:
    """Import the CSV bundle at `path` (a folder, a .zip of one, or a single bundle file) as DATA.md §1 says.

    Every file is read, checked row by row and across rows, files and Keel's data, then written in dependency
    order, all in one transaction: any problem anywhere rolls everything back and the result lists them all
    (`file:line: column: reason`). Writes are idempotent upserts by external id, so importing the same bundle
    again leaves everything unchanged. `dry_run` does all of it and rolls back, so its counts are exact.
    An ImportRun records every attempt, rejected ones included: `run`, when given, is one made beforehand (an
    upload's, `bundle_upload_queue`), whose dry_run, user and source count instead of the arguments. While the
    import runs, how far it has read is in `import_progress(run.pk)`. One import runs at a time: a second one
    waits for the first (accounts.importers.lock).
    """
    with import_lock(name=str(path) if run is None else f"import run {run.pk}"):
        return _bundle_import(path=path, dry_run=dry_run, user=user, source=source, run=run)


def _bundle_import(
    *, path: Path, dry_run: bool, user: User | None, source: str, run: ImportRun | None
) -> ImportResult:
    if run is None:
        name = path.resolve().name or str(path)  # "." names the folder it is
        run = ImportRun.objects.create(
            user=user, source=source, name=name[:500], dry_run=dry_run, state=ImportRun.State.RUNNING
        )
    dry_run = run.dry_run
    progress = ImportProgress(run.pk)
    log = ErrorLog((spec.name for spec in SPECS), limit=MAX_REPORTED)
    summary: dict[str, FileCounts] = {}
    try:
        with open_bundle(path, known=[spec.name for spec in SPECS]) as files:
            _import_files(files, log=log, summary=summary, dry_run=dry_run, progress=progress)
    except BundleError as error:
        for message in error.messages:
            log.add_general(message)
    except Exception as error:
        # Not the bundle's fault: the run says so, and the error goes on to the caller (a 500, a traceback).
        log.add_general(
            f"The import stopped on an internal error ({type(error).__name__}); nothing was imported."
        )
        _finish(run, log=log, summary={}, progress=progress)
        raise
    if log:
        summary = {}
    _finish(run, log=log, summary=summary, progress=progress)
    if log and not dry_run:  # a refused bundle is one refusal: none of its rows was imported
        lines = run.errors
        source_rejected(
            DataSource.BUNDLE,
            f"{run.name}: {lines[0]}" if lines else f"{run.name}: refused",
            detail={"import run": run.pk, "problems": len(lines)},
        )
    return ImportResult(ok=not log, dry_run=dry_run, errors=run.errors, summary=summary, run=run)


def _finish(
    run: ImportRun, *, log: ErrorLog, summary: dict[str, FileCounts], progress: ImportProgress
) -> None:
    if log:
        run.outcome = ImportRun.Outcome.REJECTED
    elif run.dry_run:
        run.outcome = ImportRun.Outcome.CHECKED
    else:
        run.outcome = ImportRun.Outcome.IMPORTED
    run.summary = {name: counts.as_dict() for name, counts in summary.items()}
    run.errors = log.lines()
    run.warnings = [] if log else log.warnings
    run.finished_at = timezone.now()
    run.state = ImportRun.State.FINISHED
    run.save(update_fields=["outcome", "summary", "errors", "warnings", "finished_at", "state"])
    progress.clear()


def _import_files(
    files: dict[str, BundleFile],
    *,
    log: ErrorLog,
    summary: dict[str, FileCounts],
    dry_run: bool,
    progress: ImportProgress,
) -> None:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            for statement in _TRANSACTION_SETTINGS:
                cursor.execute(statement)
            staging_create(cursor)
            for spec in SPECS:
                if spec.name not in files:
                    continue
                counts = file_import(cursor, spec=spec, file=files[spec.name], log=log, progress=progress)
                if counts is not None:
                    summary[spec.key] = counts
            if log or dry_run:
                raise _Rollback
            rows = sum(counts.created + counts.updated + counts.unchanged for counts in summary.values())
            source_accepted(DataSource.BUNDLE, rows)
            staging_drop(cursor)
    except _Rollback:
        pass
