"""Raw SQL of the pipeline, one file per step.

Raw because these are set-based statements over the whole base (GROUPING SETS, range joins, window sweeps) that the
ORM cannot say; each file says which METRICS.md fields it computes. Parameters use psycopg's %(name)s style.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

from django.db import connection

_STATEMENT_END = re.compile(r";\s*$", re.MULTILINE)


class SqlFiles:
    """The .sql files of one folder: split into statements once, run with the parameters each names."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    @cache  # noqa: B019 - one instance per folder, alive for the process
    def statements(self, name: str) -> tuple[str, ...]:
        text = (self.directory / f"{name}.sql").read_text(encoding="utf-8")
        return tuple(part.strip() for part in _STATEMENT_END.split(text) if _has_code(part))

    def run(self, name: str, **params: Any) -> None:
        with connection.cursor() as cursor:
            for statement in self.statements(name):
                used = {key: value for key, value in params.items() if f"%({key})s" in statement}
                cursor.execute(statement, used or None)


def _has_code(part: str) -> bool:
    return any(line.strip() and not line.strip().startswith("--") for line in part.splitlines())


_files = SqlFiles(Path(__file__).resolve().parent)


def statements(name: str) -> tuple[str, ...]:
    return _files.statements(name)


def run(name: str, **params: Any) -> None:
    _files.run(name, **params)
