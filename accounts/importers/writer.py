"""Writing a checked, staged bundle file into Keel's tables: set-based upserts, counted (DATA.md §1).

Per file: one UPDATE of the rows whose values differ, then one INSERT … SELECT of the keys Keel lacks, so
re-importing the same bundle writes nothing, and the counts come from the row counts (unchanged = the rest).
`ON CONFLICT DO UPDATE` is not used: it locks and dirties every row it meets, even unchanged ones.

Raw SQL because the sources are TEMP staging tables; names come from the specs, values are parameters.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX, UNUSABLE_PASSWORD_SUFFIX_LENGTH

from accounts.importers.report import FileCounts
from accounts.importers.specs import ACCOUNTS, CONTACTS, SUBSCRIPTIONS
from accounts.importers.staging import Staged
from accounts.models import BEGINNING_OF_TIME
from accounts.services import account_owners_change


@dataclass(frozen=True)
class Assign:
    """A column of Keel's table and the SQL that gives its value from the staged row `s` (and the joins).

    When the bundle left out `column` (the bundle column it comes from), an existing row keeps its value and a
    new row gets `default`. `column=None`: always written.
    """

    target: str
    value: str
    column: str | None
    default: str = "NULL"


def _counts(
    cursor: Any, staged: Staged, update: str | None, insert: str, params: dict[str, Any]
) -> FileCounts:
    updated = 0
    if update is not None:
        cursor.execute(update, params)
        updated = cursor.rowcount
    cursor.execute(insert, params)
    created = cursor.rowcount
    return FileCounts(created=created, updated=updated, unchanged=staged.rows - created - updated)


def _upsert(
    cursor: Any,
    staged: Staged,
    *,
    table: str,
    key: tuple[str, str],
    assigns: list[Assign],
    joins: str = "",
    on_insert: dict[str, str] | None = None,
    on_update: dict[str, str] | None = None,
    params: dict[str, Any] | None = None,
) -> FileCounts:
    """Upsert the staged rows into `table` by `key` = (Keel's column, bundle column)."""
    target_key, bundle_key = key
    written = [assign for assign in assigns if assign.column is None or staged.has(assign.column)]
    values = "".join(f", {assign.value} AS {assign.target}" for assign in written)
    source = f"SELECT s.{bundle_key} AS key{values} FROM {staged.spec.table} s {joins}"
    update = None
    if written:
        sets = [f"{assign.target} = src.{assign.target}" for assign in written]
        sets += [f"{name} = {value}" for name, value in (on_update or {}).items()]
        old = ", ".join(f"t.{assign.target}" for assign in written)
        new = ", ".join(f"src.{assign.target}" for assign in written)
        update = f"""
            UPDATE {table} t SET {", ".join(sets)} FROM ({source}) src
            WHERE t.{target_key} = src.key AND ({old}) IS DISTINCT FROM ({new})"""
    inserted = {assign.target: f"src.{assign.target}" for assign in written}
    inserted |= {a.target: a.default for a in assigns if a not in written and a.default != "NULL"}
    inserted |= on_insert or {}
    insert = f"""
        INSERT INTO {table} ({", ".join([target_key, *inserted])})
        SELECT {", ".join(["src.key", *inserted.values()])} FROM ({source}) src
        WHERE NOT EXISTS (SELECT FROM {table} t WHERE t.{target_key} = src.key)"""
    return _counts(cursor, staged, update, insert, params or {})


_JOIN_ACCOUNT = "JOIN accounts_account a ON a.external_id = s.account_id"


def _write_team(cursor: Any, staged: Staged, today: date) -> FileCounts:
    return _upsert(
        cursor,
        staged,
        table="accounts_user",
        key=("email", "email"),
        assigns=[Assign("name", "s.name", "name"), Assign("role", "s.role", "role")],
        # Unusable password, as User.objects.create_user(email, None) gives: a reset or an admin sets one.
        on_insert={
            "password": "%(unusable)s || left(md5(random()::text) || md5(random()::text), %(suffix)s)",
            "is_active": "true",
            "date_joined": "now()",
        },
        params={"unusable": UNUSABLE_PASSWORD_PREFIX, "suffix": UNUSABLE_PASSWORD_SUFFIX_LENGTH},
    )


def _write_accounts(cursor: Any, staged: Staged, today: date) -> FileCounts:
    owner_changes: dict[int, int | None] = {}
    if staged.has("csm_email"):
        # Before the upsert: accounts with a history whose CSM this bundle changes.
        cursor.execute(
            f"""SELECT a.id, u.id FROM {ACCOUNTS.table} s
               JOIN accounts_account a ON a.external_id = s.id
               LEFT JOIN accounts_user u ON u.email = s.csm_email
               WHERE a.csm_id IS DISTINCT FROM u.id
                 AND EXISTS (SELECT FROM accounts_accountownership o WHERE o.account_id = a.id)"""
        )
        owner_changes = dict(cursor.fetchall())
    counts = _upsert(
        cursor,
        staged,
        table="accounts_account",
        key=("external_id", "id"),
        assigns=[
            Assign("name", "s.name", "name"),
            Assign("segment", "s.segment", "segment"),
            Assign("csm_id", "u.id", "csm_email"),
            Assign("created_on", "s.created_on", "created_on"),
            Assign("seats", "s.seats", "seats"),
        ],
        joins="LEFT JOIN accounts_user u ON u.email = s.csm_email",
        on_insert={"created_at": "now()", "updated_at": "now()"},
        on_update={"updated_at": "now()"},
    )
    # An account's first import sets its CSM for all its history.
    cursor.execute(
        f"""INSERT INTO accounts_accountownership (account_id, csm_id, valid_from, valid_to)
           SELECT a.id, a.csm_id, %s, NULL FROM {ACCOUNTS.table} s JOIN accounts_account a ON a.external_id = s.id
           WHERE NOT EXISTS (SELECT FROM accounts_accountownership o WHERE o.account_id = a.id)""",
        [BEGINNING_OF_TIME],
    )
    account_owners_change(changes=owner_changes, on=today)
    return counts


def _write_contacts(cursor: Any, staged: Staged, today: date) -> FileCounts:
    counts = _upsert(
        cursor,
        staged,
        table="accounts_contact",
        key=("external_id", "id"),
        assigns=[
            Assign("account_id", "a.id", None),
            Assign("email", "s.email", "email"),
            Assign("name", "s.name", "name", "''"),
            Assign("title", "s.title", "title", "''"),
        ],
        joins=_JOIN_ACCOUNT,
    )
    # A response belongs to its contact's account: follow contacts that moved.
    cursor.execute(
        f"""UPDATE accounts_surveyresponse r SET account_id = c.account_id
            FROM accounts_contact c JOIN {CONTACTS.table} s ON s.id = c.external_id
            WHERE r.contact_id = c.id AND r.account_id <> c.account_id"""
    )
    return counts


def _write_subscriptions(cursor: Any, staged: Staged, today: date) -> FileCounts:
    """subscriptions.csv is authoritative per subscription_id: Keel's other spans of those subscriptions go.

    Deletes first, then updates, then inserts: in that order no intermediate state breaks the no-overlap
    constraint, since the final spans of a subscription do not overlap (checked) and keys keep their start.
    """
    table = SUBSCRIPTIONS.table
    cursor.execute(
        f"""DELETE FROM accounts_subscriptionspan k
            WHERE k.subscription_id IN (SELECT subscription_id FROM {table})
              AND NOT EXISTS (
                  SELECT FROM {table} s WHERE s.subscription_id = k.subscription_id AND s.starts_on = k.starts_on
              )"""
    )
    deleted = cursor.rowcount
    source = f"""
        SELECT s.subscription_id, s.starts_on, a.id AS account_id, coalesce(s.plan, '') AS plan, s.interval,
               s.amount, %(currency)s AS currency, s.ends_on
        FROM {table} s {_JOIN_ACCOUNT}"""
    columns = ("account_id", "plan", "interval", "amount", "currency", "ends_on")
    old = ", ".join(f"k.{name}" for name in columns)
    new = ", ".join(f"src.{name}" for name in columns)
    counts = _counts(
        cursor,
        staged,
        f"""UPDATE accounts_subscriptionspan k SET {", ".join(f"{name} = src.{name}" for name in columns)}
            FROM ({source}) src
            WHERE k.subscription_id = src.subscription_id AND k.starts_on = src.starts_on
              AND ({old}) IS DISTINCT FROM ({new})""",
        f"""INSERT INTO accounts_subscriptionspan (subscription_id, starts_on, {", ".join(columns)})
            SELECT src.subscription_id, src.starts_on, {new} FROM ({source}) src
            WHERE NOT EXISTS (
                SELECT FROM accounts_subscriptionspan k
                WHERE k.subscription_id = src.subscription_id AND k.starts_on = src.starts_on
            )""",
        {"currency": settings.KEEL_CURRENCY},
    )
    counts.deleted = deleted
    return counts


def _write_tickets(cursor: Any, staged: Staged, today: date) -> FileCounts:
    return _upsert(
        cursor,
        staged,
        table="accounts_ticket",
        key=("external_id", "id"),
        assigns=[
            Assign("account_id", "a.id", None),
            Assign("created_at", "s.created_at", "created_at"),
            Assign("first_response_at", "s.first_response_at", "first_response_at"),
            Assign("resolved_at", "s.resolved_at", "resolved_at"),
            Assign("priority", "s.priority", "priority", "'normal'"),
            Assign("status", "s.status", "status", "''"),
            Assign("replies", "s.replies", "replies"),
            Assign("subject", "s.subject", "subject", "''"),
        ],
        joins=_JOIN_ACCOUNT,
    )


def _write_spend(cursor: Any, staged: Staged, today: date) -> FileCounts:
    return _upsert(
        cursor,
        staged,
        table="accounts_spend",
        key=("month", "month"),
        assigns=[Assign("amount", "s.amount", "amount")],
    )


def _write_responses(cursor: Any, staged: Staged, today: date) -> FileCounts:
    # contact_id / account_id were completed with the stored ones when left out (rules._check_responses), so
    # both are always written: the account is the contact's when there is a contact.
    return _upsert(
        cursor,
        staged,
        table="accounts_surveyresponse",
        key=("external_id", "id"),
        assigns=[
            Assign("kind", "s.kind", "kind"),
            Assign("score", "s.score", "score"),
            Assign("responded_at", "s.responded_at", "responded_at"),
            Assign("contact_id", "c.id", None),
            Assign("account_id", "coalesce(c.account_id, a.id)", None),
            Assign("comment", "s.comment", "comment", "''"),
        ],
        joins="""LEFT JOIN accounts_contact c ON c.external_id = s.contact_id
                  LEFT JOIN accounts_account a ON a.external_id = s.account_id""",
    )


WRITERS: dict[str, Callable[[Any, Staged, date], FileCounts]] = {
    "team": _write_team,
    "accounts": _write_accounts,
    "contacts": _write_contacts,
    "subscriptions": _write_subscriptions,
    "tickets": _write_tickets,
    "spend": _write_spend,
    "responses": _write_responses,
}


def file_write(cursor: Any, *, staged: Staged, today: date) -> FileCounts:
    """Write a staged file that passed every rule into Keel's tables; returns its counts."""
    return WRITERS[staged.spec.key](cursor, staged, today)
