"""The importer's SQL text. Every name put into it (a staging table from the specs, a table or column of Keel's)
goes through psycopg.sql, as accounts.sql says of all SQL; values stay parameters."""

from __future__ import annotations

from collections.abc import Sequence

from psycopg import sql

Part = str | sql.Composable | Sequence[str | sql.Composable]


def query(template: str, **parts: Part) -> sql.Composed:
    """`template` with each {name} replaced: a str by the quoted identifier, a Composable as it is (sql.SQL for
    an expression written in code), a sequence by its items, comma-separated. Django's cursor runs the result."""
    return sql.SQL(template).format(**{key: _part(value) for key, value in parts.items()})


def _part(value: Part) -> sql.Composable:
    if isinstance(value, str):
        return sql.Identifier(value)
    if isinstance(value, sql.Composable):
        return value
    return sql.SQL(", ").join(_part(item) for item in value)
