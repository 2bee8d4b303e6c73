"""Every .sql file says what it takes and gives (accounts/sql.py): its header is held here to what the file reads,
creates, writes and takes, and to the floor order of the apps (README "Architecture").

What a file reads and writes is read off its statements, comments and string literals left out: the temp tables
(names that start with "_") and Keel's own tables that it names, the tables it creates, drops, inserts into,
updates, deletes from or truncates, and its %(name)s parameters. A table it writes is an output, not an input,
even when it reads it too; a temp table it creates and drops itself is neither.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.apps import apps

from accounts.sql import parse_sql_file

ROOT = Path(__file__).resolve().parent.parent
FLOORS = ("accounts", "health", "surveys", "metrics")  # README "Architecture": each may use those before it
SQL_FILES = sorted(path for app in FLOORS for path in (ROOT / app).glob("sql/*.sql"))
# The SQL functions of Keel's rules, by the app whose migration defines them.
FUNCTIONS = {
    "keel_term_": "accounts",
    "keel_health_": "health",
    "keel_revenue_": "metrics",
    "keel_month_end": "metrics",
}

_TEMP = re.compile(r"\b_[a-z][a-z0-9_]*\b")
_WORD = re.compile(r"\b[a-z][a-z0-9_]*\b")
_PARAM = re.compile(r"%\((\w+)\)s")


def _listed(text: str) -> set[str]:
    return {name.strip() for name in text.split(",") if name.strip()}


@dataclass(frozen=True)
class Read:
    """What a file's statements do."""

    inputs: set[str]
    outputs: set[str]
    params: set[str]
    dropped_not_created: set[str]
    words: set[str]


def read(path: Path) -> Read:
    text = path.read_text(encoding="utf-8")
    code = re.sub(r"--[^\n]*", "", text)
    code = re.sub(r"'[^']*'", "''", code)
    tables = {model._meta.db_table for model in apps.get_models()}
    created = set(re.findall(r"CREATE TEMP TABLE (\w+)", code))
    dropped: set[str] = set()
    for names in re.findall(r"DROP TABLE (?:IF EXISTS )?([\w, ]+)", code):
        dropped |= _listed(names)
    written = set(re.findall(r"(?:INSERT INTO|(?<!DO )UPDATE|DELETE FROM) (\w+)", code))
    for names in re.findall(r"TRUNCATE ([\w, ]+)", code):
        written |= _listed(names)
    words = set(_WORD.findall(code))
    referenced = set(_TEMP.findall(code)) | (words & tables)
    return Read(
        inputs=referenced - created - written,
        outputs=written | (created - dropped),
        params=set(_PARAM.findall(text)),
        dropped_not_created=dropped - created,
        words=words,
    )


def _app_of_table(table: str) -> str | None:
    for model in apps.get_models():
        if model._meta.db_table == table:
            return model._meta.app_label
    return None


def _made_by_code() -> set[str]:
    """Temp tables the apps' Python makes for their files to read (SqlStep.table, SqlStep.gave)."""
    made: set[str] = set()
    for app in FLOORS:
        for path in (ROOT / app).rglob("*.py"):
            made |= set(
                re.findall(r"""\.(?:table|gave)\(\s*["'](_\w+)["']""", path.read_text(encoding="utf-8"))
            )
    return made


@pytest.mark.parametrize("path", SQL_FILES, ids=[f"{p.parent.parent.name}/{p.name}" for p in SQL_FILES])
def test_the_header_says_what_the_file_takes_and_gives(path: Path) -> None:
    header = parse_sql_file(path)
    found = read(path)
    text = path.read_text(encoding="utf-8")
    assert re.search(r"^-- in:", text, re.M) and re.search(r"^-- out:", text, re.M), "no in/out header"
    assert header.inputs == found.inputs, "-- in: lists what the file reads"
    assert header.outputs == found.outputs, "-- out: lists what the file creates and writes"
    assert set(header.params) == found.params, "-- params: lists the %(name)s parameters"
    assert found.dropped_not_created == set(), "a step drops what its files gave (accounts.sql.SqlStep)"


@pytest.mark.parametrize("path", SQL_FILES, ids=[f"{p.parent.parent.name}/{p.name}" for p in SQL_FILES])
def test_a_file_uses_only_its_own_app_and_the_apps_below(path: Path) -> None:
    app = path.parent.parent.name
    allowed = FLOORS[: FLOORS.index(app) + 1]
    found = read(path)
    for table in found.inputs | found.outputs:
        owner = _app_of_table(table)
        assert owner is None or owner in allowed, f"{table} belongs to {owner}, above {app}"
    for word in found.words:
        for prefix, owner in FUNCTIONS.items():
            if word.startswith(prefix):
                assert owner in allowed, f"{word} is {owner}'s, above {app}"


def test_every_temp_table_a_file_reads_is_given_by_a_file_or_by_code() -> None:
    given = _made_by_code()
    for path in SQL_FILES:
        given |= {table for table in parse_sql_file(path).outputs if table.startswith("_")}
    for path in SQL_FILES:
        missing = {table for table in parse_sql_file(path).inputs if table.startswith("_")} - given
        assert missing == set(), f"{path.name} reads {missing}, which nothing makes"


def test_the_reader_sees_reads_writes_and_drops() -> None:
    """The checks above are only as good as this reader: a file that reads a table without saying so, writes one,
    or drops what another step gave, is caught."""
    sample = ROOT / "tests" / "fixtures" / "sql_sample.sql"
    found = read(sample)
    assert found.inputs == {"_series", "metrics_accountday", "_health"}
    assert found.outputs == {"_kept", "metrics_accountcurrent"}
    assert found.params == {"day"}
    assert found.dropped_not_created == {"_health"}
