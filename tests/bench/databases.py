"""Bench databases: one per dataset, on the same server as DATABASE_URL (or the embedded one), kept between runs.

Seeding 100k accounts takes minutes, so a dataset is built once and reused while its recipe (accounts, usage
days, seed, end day) is unchanged; `--fresh` rebuilds it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import psycopg
from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections
from psycopg import sql

from accounts.sql import compose

_RECIPE_TABLE = "bench_recipe"


def _server_url() -> str:
    db = settings.DATABASES["default"]
    parts = {
        "host": db.get("HOST"),
        "port": db.get("PORT"),
        "user": db.get("USER"),
        "password": db.get("PASSWORD"),
    }
    return psycopg.conninfo.make_conninfo(dbname="postgres", **{k: str(v) for k, v in parts.items() if v})


def use_database(name: str) -> None:
    """Point Django's default connection at `name` (created when missing)."""
    connections.close_all()
    with psycopg.connect(_server_url(), autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    connection.settings_dict["NAME"] = name
    settings.DATABASES["default"]["NAME"] = name


def drop_database(name: str) -> None:
    connections.close_all()
    with psycopg.connect(_server_url(), autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def settle() -> None:
    """VACUUM ANALYZE a database just written, as autovacuum would soon after: without statistics and the
    visibility map, plans and index-only scans are those of no production database. Then a CHECKPOINT, as the
    server makes every few minutes: the next statement timed does not write out the dirty pages of the last."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("CHECKPOINT")


def dataset(name: str, recipe: dict[str, Any], build: Callable[[], None], *, fresh: bool) -> bool:
    """Use database `name` holding `recipe`'s data, building it with `build` when needed; True when built now."""
    if fresh:
        drop_database(name)
    use_database(name)
    with connection.cursor() as cursor:
        cursor.execute(compose("CREATE TABLE IF NOT EXISTS {table} (recipe jsonb)", table=_RECIPE_TABLE))
        # As text: Django's psycopg connection hands jsonb back undecoded (its JSONField decodes), so compare
        # the decoded value, not the raw column.
        cursor.execute(compose("SELECT recipe::text FROM {table}", table=_RECIPE_TABLE))
        row = cursor.fetchone()
    if row is not None and json.loads(row[0]) == recipe:
        call_command("migrate", verbosity=0)
        return False
    drop_database(name)
    use_database(name)
    call_command("migrate", verbosity=0)
    build()
    settle()
    with connection.cursor() as cursor:
        cursor.execute(compose("CREATE TABLE {table} (recipe jsonb)", table=_RECIPE_TABLE))
        cursor.execute(compose("INSERT INTO {table} VALUES (%s)", table=_RECIPE_TABLE), [json.dumps(recipe)])
    return True
