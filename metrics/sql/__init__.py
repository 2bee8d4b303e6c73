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

_HERE = Path(__file__).resolve().parent
_STATEMENT_END = re.compile(r";\s*$", re.MULTILINE)


@cache
def statements(name: str) -> tuple[str, ...]:
    """The statements of metrics/sql/<name>.sql, split at the semicolons that end a line."""
    text = (_HERE / f"{name}.sql").read_text(encoding="utf-8")
    return tuple(part.strip() for part in _STATEMENT_END.split(text) if _has_code(part))


def _has_code(part: str) -> bool:
    return any(line.strip() and not line.strip().startswith("--") for line in part.splitlines())


def run(name: str, **params: Any) -> None:
    """Run every statement of a file on the default connection, passing only the parameters each one names."""
    with connection.cursor() as cursor:
        for statement in statements(name):
            used = {key: value for key, value in params.items() if f"%({key})s" in statement}
            cursor.execute(statement, used or None)
