"""Helpers for the importer tests (test_import_*.py): bundles written from dicts, and the state of the database.

No tests here; the other test_import files import these.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path
from textwrap import dedent
from typing import Any

from django.db import connection

from accounts.importers import ImportResult, bundle_import

# Every table an import writes (ImportRun aside: every attempt adds one).
TABLES = (
    "accounts_user",
    "accounts_account",
    "accounts_accountownership",
    "accounts_contact",
    "accounts_subscriptionspan",
    "accounts_ticket",
    "accounts_usageevent",
    "accounts_spend",
    "accounts_surveyresponse",
    "accounts_changedusageday",
)
# The files of a bundle in the order they are imported, as the report's summary names them.
FILE_ORDER = ["team", "accounts", "contacts", "subscriptions", "tickets", "usage", "spend", "responses"]
# Columns that change by themselves (timestamps set by the database).
VOLATILE = {"date_joined", "created_at", "updated_at", "marked_at", "password", "last_login"}

TEAM = """\
    email,name,role
    alice@keel.example,Alice Owner,csm
    bob@keel.example,Bob Other,csm
    """
ACCOUNTS = """\
    id,name,segment,csm_email,created_on,seats
    ACC-1,Acme,smb,alice@keel.example,2024-01-15,10
    ACC-2,Globex,enterprise,bob@keel.example,2024-02-01,
    """
CONTACTS = """\
    id,account_id,email,name,title
    C-1,ACC-1,jane@acme.example,Jane,CTO
    C-2,ACC-2,john@globex.example,John,
    """
SUBSCRIPTIONS = """\
    subscription_id,account_id,amount,interval,starts_on,ends_on,plan,currency
    sub_1,ACC-1,2000.00,year,2024-01-15,2024-06-01,Pro,USD
    sub_1,ACC-1,3000.00,year,2024-06-01,,Pro plus,USD
    sub_2,ACC-2,300,quarter,2024-02-01,,Team,
    """
TICKETS = """\
    id,account_id,created_at,first_response_at,resolved_at,priority,status,replies,subject
    T-1,ACC-1,2024-03-01T09:00:00Z,2024-03-01T10:00:00+01:00,2024-03-02T09:00:00Z,high,solved,2,Login broken
    T-2,ACC-2,2024-03-05T12:00:00Z,,,,open,,
    """
USAGE = """\
    account_id,user_id,event,occurred_at,count
    ACC-1,u1,login,2024-03-01T09:00:00Z,
    ACC-1,u1,report,2024-03-01T09:05:00Z,3
    ACC-2,u9,login,2024-03-02T23:30:00-02:00,1
    """
SPEND = """\
    month,amount
    2024-01,1500.00
    2024-02,1750.50
    """
RESPONSES = """\
    id,kind,score,responded_at,contact_id,account_id,comment
    R-1,nps,9,2024-03-10T10:00:00Z,C-1,,Great
    R-2,csat,2,2024-03-11T10:00:00Z,,ACC-2,Slow support
    R-3,ces,6,2024-03-12T10:00:00Z,C-2,ACC-2,
    """
# A small bundle using every file and every column.
FULL = {
    "team.csv": TEAM,
    "accounts.csv": ACCOUNTS,
    "contacts.csv": CONTACTS,
    "subscriptions.csv": SUBSCRIPTIONS,
    "tickets.csv": TICKETS,
    "usage.csv": USAGE,
    "spend.csv": SPEND,
    "responses.csv": RESPONSES,
}


def write_bundle(folder: Path, files: dict[str, str]) -> Path:
    """A bundle folder from {file name: CSV text}; the text is dedented, so it can be indented in the test."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(dedent(text), encoding="utf-8")
    return folder


def write_zip(path: Path, files: dict[str, str], *, folder: str = "") -> Path:
    """A .zip bundle from {file name: CSV text}, at its top level or inside `folder`."""
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in files.items():
            archive.writestr(f"{folder}{name}", dedent(text))
    return path


# Imports a bundle ({file name: CSV text}, options) on top of what an earlier import left: its result.
Importer = Callable[..., ImportResult]


def run(folder: Path, files: dict[str, str], **options: Any) -> ImportResult:
    """Write the bundle and import it."""
    return bundle_import(path=write_bundle(folder, files), **options)


def database_state() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table an import writes, volatile timestamps left out, in a stable order."""
    state: dict[str, list[tuple[Any, ...]]] = {}
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"SELECT * FROM {table} LIMIT 0")
            columns = [column.name for column in cursor.description if column.name not in VOLATILE]
            cursor.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY {', '.join(columns)}")
            state[table] = cursor.fetchall()
    return state


def counts(result: ImportResult) -> dict[str, tuple[int, int, int]]:
    """(created, updated, unchanged) per file."""
    return {name: (c.created, c.updated, c.unchanged) for name, c in result.summary.items()}
