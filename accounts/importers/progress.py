"""How far an import has read, while it runs: the file and its rows read so far.

The import's transaction hides every row it writes, its ImportRun's too, until the end; so progress goes through
Django's cache (Redis, shared by web and workers, when REDIS_URL is set), under one key per run.
"""

from __future__ import annotations

from typing import Any

from django.core.cache import cache

from accounts.models import ImportRun

# Progress is written once per file and then at most once per this many rows, never per row.
PROGRESS_ROWS = 50_000
_SECONDS = 24 * 3600  # a run that dies without cleaning up leaves its key this long


def _key(run_id: int) -> str:
    return f"keel:import-progress:{run_id}"


class ImportProgress:
    """Where the import of run `run_id` is: `file` at its start, then `rows` every PROGRESS_ROWS rows."""

    def __init__(self, run_id: int) -> None:
        self.run_id = run_id
        self._file = ""

    def file(self, name: str) -> None:
        self._file = name
        self.rows(0)

    def rows(self, count: int) -> None:
        """Record `count` rows read in the current file."""
        cache.set(_key(self.run_id), {"file": self._file, "rows": count}, _SECONDS)

    def clear(self) -> None:
        cache.delete(_key(self.run_id))


def import_progress(run_id: int) -> dict[str, Any]:
    """{"file": name, "rows": count} of a run being imported; {} before it starts and once it is finished."""
    found: dict[str, Any] | None = cache.get(_key(run_id))
    return found or {}


def import_run_fields(run: ImportRun) -> dict[str, Any]:
    """A run's state and how far it has read, as the run page shows them and its script polls them."""
    progress = import_progress(run.pk) if run.state != ImportRun.State.FINISHED else {}
    return {
        "state": run.state,
        "state_label": run.get_state_display(),
        "file": progress.get("file", ""),
        "rows": progress.get("rows", 0),
        "outcome": run.outcome,
        "outcome_label": run.get_outcome_display(),
    }
