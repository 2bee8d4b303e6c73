"""Raw SQL files and how they are run, for every app's `sql/` folder.

Raw because the pipeline's statements are set-based over the whole base (GROUPING SETS, range joins, window
sweeps) where the ORM cannot say them. Each file starts with a header that says what it takes and gives:

    -- in: _series, accounts_ticket            the tables it reads (temp tables start with "_")
    -- out: _health                             the tables it creates or writes
    -- params: lo, hi, tz                       the %(name)s parameters it takes

tests/test_sql_files.py holds every header to what its file reads, creates, writes and takes, and to the floor
order (a file reads and writes only its own app's tables and those of the apps below). Values are always
parameters; a name or a piece of SQL that is not in a file comes from code, through `compose` (psycopg.sql),
never from input. A pipeline step runs its files inside a `SqlStep`, which drops every temp table they gave once the step
is over: one place, whatever the files.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.db import connection
from psycopg import sql

_STATEMENT_END = re.compile(r";\s*$", re.MULTILINE)
_HEADER = re.compile(r"^--\s*(in|out|params):(.*)$", re.MULTILINE)


@dataclass(frozen=True)
class SqlFile:
    name: str
    inputs: frozenset[str]
    outputs: frozenset[str]
    params: tuple[str, ...]
    statements: tuple[str, ...]

    @property
    def temp_outputs(self) -> list[str]:
        return sorted(table for table in self.outputs if table.startswith("_"))


def _names(text: str) -> list[str]:
    return [name.strip() for name in text.split(",") if name.strip()]


def _has_code(part: str) -> bool:
    return any(line.strip() and not line.strip().startswith("--") for line in part.splitlines())


def parse_sql_file(path: Path) -> SqlFile:
    """The header and the statements of one .sql file (statements end with a semicolon at the end of a line)."""
    text = path.read_text(encoding="utf-8")
    header: dict[str, list[str]] = {"in": [], "out": [], "params": []}
    for key, names in _HEADER.findall(text):
        header[key] += _names(names)
    return SqlFile(
        name=path.stem,
        inputs=frozenset(header["in"]),
        outputs=frozenset(header["out"]),
        params=tuple(header["params"]),
        statements=tuple(part.strip() for part in _STATEMENT_END.split(text) if _has_code(part)),
    )


class SqlFiles:
    """The .sql files of one app's folder, read and split once per process."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    @cache  # noqa: B019 - one instance per folder, alive for the process
    def file(self, name: str) -> SqlFile:
        return parse_sql_file(self.directory / f"{name}.sql")

    def paths(self) -> list[Path]:
        return sorted(self.directory.glob("*.sql"))


Part = str | sql.Composable | Sequence[str | sql.Composable]


def compose(template: str, **parts: Part) -> sql.Composed:
    """`template` with each {name} replaced through psycopg.sql: a str by the quoted identifier, a Composable as
    it is (sql.SQL for SQL written in code, never input), a sequence by its items, comma-separated. The one way
    statements are put together from pieces; Django's cursor runs the result."""
    return sql.SQL(template).format(**{key: _part(value) for key, value in parts.items()})


def _part(value: Part) -> sql.Composable:
    if isinstance(value, str):
        return sql.Identifier(value)
    if isinstance(value, sql.Composable):
        return value
    return sql.SQL(", ").join(_part(item) for item in value)


def set_local(name: str, value: str) -> None:
    """A setting for the rest of the current transaction (SET LOCAL), its value as a parameter."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, %s, true)", [name, value])


class SqlStep:
    """The statements of one pipeline step, in the caller's transaction: files run with their declared
    parameters, temp tables the step made from Python, and, at the end, every temp table they gave dropped."""

    def __init__(self) -> None:
        self._temp: list[str] = []

    def run(self, files: SqlFiles, name: str, **params: Any) -> None:
        """Run every statement of `name`.sql with the parameters its header declares (KeyError names any
        missing)."""
        self._execute(files, name, params, fetch=False)

    def fetch(self, files: SqlFiles, name: str, **params: Any) -> list[tuple[Any, ...]]:
        """`run`, returning the rows of the file's last statement."""
        return self._execute(files, name, params, fetch=True)

    def _execute(
        self, files: SqlFiles, name: str, params: dict[str, Any], *, fetch: bool
    ) -> list[tuple[Any, ...]]:
        sql_file = files.file(name)
        missing = [key for key in sql_file.params if key not in params]
        if missing:
            raise KeyError(f"{name}.sql needs the parameters {', '.join(missing)}")
        values = {key: params[key] for key in sql_file.params}
        with connection.cursor() as cursor:
            for statement in sql_file.statements:
                cursor.execute(statement, values or None)
            rows = cursor.fetchall() if fetch else []
        self._temp += [table for table in sql_file.temp_outputs if table not in self._temp]
        return rows

    def table(self, name: str, columns: str, rows: Iterable[Sequence[Any]]) -> None:
        """A temp table `name` (columns given as SQL, from code) holding `rows`, analyzed, for the files to read."""
        with connection.cursor() as cursor:
            cursor.execute(
                compose(
                    "CREATE TEMP TABLE {name} ({columns}) ON COMMIT DROP", name=name, columns=sql.SQL(columns)
                )
            )
            values = [tuple(row) for row in rows]
            if values:
                marks = sql.SQL(", ").join([sql.Placeholder()] * len(values[0]))
                cursor.executemany(
                    compose("INSERT INTO {name} VALUES ({marks})", name=name, marks=marks), values
                )
            cursor.execute(compose("ANALYZE {name}", name=name))
        self._temp.append(name)

    def gave(self, *tables: str) -> None:
        """Temp tables made by code other than a file or `table` (another app's service), dropped at the end."""
        self._temp += [table for table in tables if table not in self._temp]

    def drop(self) -> None:
        if self._temp:
            tables = [sql.Identifier("pg_temp", table) for table in self._temp]
            with connection.cursor() as cursor:
                cursor.execute(compose("DROP TABLE IF EXISTS {tables}", tables=tables))
            self._temp = []


@contextmanager
def sql_step() -> Iterator[SqlStep]:
    """A SqlStep whose temp tables are dropped when the block ends without an error (after an error the
    transaction is rolled back, and they go with it)."""
    step = SqlStep()
    yield step
    step.drop()
