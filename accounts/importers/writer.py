"""Writing a checked, staged bundle file into Keel's tables: set-based upserts, counted (DATA.md §1).

Per file: one UPDATE of the rows whose values differ, then one INSERT … SELECT of the keys Keel lacks, so
re-importing the same bundle writes nothing, and the counts come from the row counts (unchanged = the rest).
`ON CONFLICT DO UPDATE` is not used: it locks and dirties every row it meets, even unchanged ones.

Raw SQL because the sources are TEMP staging tables; names come from the specs and go in through psycopg.sql
(`queries.query`), values are parameters.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX, UNUSABLE_PASSWORD_SUFFIX_LENGTH
from psycopg import sql

from accounts.importers.report import FileCounts
from accounts.importers.specs import ACCOUNTS, CONTACTS, SUBSCRIPTIONS
from accounts.importers.staging import Staged
from accounts.models import BEGINNING_OF_TIME
from accounts.services import account_owners_change
from accounts.sql import compose


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
    cursor: Any, staged: Staged, update: sql.Composed | None, insert: sql.Composed, params: dict[str, Any]
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
    """Upsert the staged rows into `table` by `key` = (Keel's column, bundle column).

    The assigns' values and defaults, `joins` and the values of `on_insert` and `on_update` are SQL written in
    this module (code, never input): they go in as sql.SQL, the names as identifiers.
    """
    target_key, bundle_key = key
    written = [assign for assign in assigns if assign.column is None or staged.has(assign.column)]
    targets = [assign.target for assign in written]
    values = [compose("s.{key} AS key", key=bundle_key)]
    values += [compose("{value} AS {target}", value=sql.SQL(a.value), target=a.target) for a in written]
    source = compose(
        "SELECT {values} FROM {staging} s {joins}",
        values=values,
        staging=staged.spec.table,
        joins=sql.SQL(joins),
    )
    update = None
    if written:
        sets = [compose("{target} = src.{target}", target=target) for target in targets]
        sets += [
            compose("{name} = {value}", name=name, value=sql.SQL(value))
            for name, value in (on_update or {}).items()
        ]
        update = compose(
            """
            UPDATE {table} t SET {sets} FROM ({source}) src
            WHERE t.{key} = src.key AND ({old}) IS DISTINCT FROM ({new})""",
            table=table,
            sets=sets,
            source=source,
            key=target_key,
            old=[sql.Identifier("t", target) for target in targets],
            new=[sql.Identifier("src", target) for target in targets],
        )
    inserted: dict[str, sql.Composable] = {target: sql.Identifier("src", target) for target in targets}
    inserted |= {a.target: sql.SQL(a.default) for a in assigns if a not in written and a.default != "NULL"}
    inserted |= {name: sql.SQL(value) for name, value in (on_insert or {}).items()}
    insert = compose(
        """
        INSERT INTO {table} ({columns})
        SELECT {values} FROM ({source}) src
        WHERE NOT EXISTS (SELECT FROM {table} t WHERE t.{key} = src.key)""",
        table=table,
        columns=[target_key, *inserted],
        values=[sql.SQL("src.key"), *inserted.values()],
        source=source,
        key=target_key,
    )
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
            compose(
                """SELECT a.id, u.id FROM {staging} s
                   JOIN accounts_account a ON a.external_id = s.id
                   LEFT JOIN accounts_user u ON u.email = s.csm_email
                   WHERE a.csm_id IS DISTINCT FROM u.id
                     AND EXISTS (SELECT FROM accounts_accountownership o WHERE o.account_id = a.id)""",
                staging=ACCOUNTS.table,
            )
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
        compose(
            """INSERT INTO accounts_accountownership (account_id, csm_id, valid_from, valid_to)
               SELECT a.id, a.csm_id, %s, NULL FROM {staging} s JOIN accounts_account a ON a.external_id = s.id
               WHERE NOT EXISTS (SELECT FROM accounts_accountownership o WHERE o.account_id = a.id)""",
            staging=ACCOUNTS.table,
        ),
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
        compose(
            """UPDATE accounts_surveyresponse r SET account_id = c.account_id
               FROM accounts_contact c JOIN {staging} s ON s.id = c.external_id
               WHERE r.contact_id = c.id AND r.account_id <> c.account_id""",
            staging=CONTACTS.table,
        )
    )
    return counts


def _write_subscriptions(cursor: Any, staged: Staged, today: date) -> FileCounts:
    """subscriptions.csv is authoritative per subscription_id: Keel's other spans of those subscriptions go.

    Deletes first, then updates, then inserts: in that order no intermediate state breaks the no-overlap
    constraint, since the final spans of a subscription do not overlap (checked) and keys keep their start.
    """
    table = SUBSCRIPTIONS.table
    cursor.execute(
        compose(
            """DELETE FROM accounts_subscriptionspan k
               WHERE k.subscription_id IN (SELECT subscription_id FROM {table})
                 AND NOT EXISTS (
                     SELECT FROM {table} s
                     WHERE s.subscription_id = k.subscription_id AND s.starts_on = k.starts_on
                 )""",
            table=table,
        )
    )
    deleted = cursor.rowcount
    source = compose(
        """
        SELECT s.subscription_id, s.starts_on, a.id AS account_id, coalesce(s.plan, '') AS plan, s.interval,
               s.amount, %(currency)s AS currency, s.ends_on
        FROM {table} s {join}""",
        table=table,
        join=sql.SQL(_JOIN_ACCOUNT),  # SQL written in this module: code, never input
    )
    columns = ("account_id", "plan", "interval", "amount", "currency", "ends_on")
    new = [sql.Identifier("src", name) for name in columns]
    counts = _counts(
        cursor,
        staged,
        compose(
            """
            UPDATE accounts_subscriptionspan k SET {sets} FROM ({source}) src
            WHERE k.subscription_id = src.subscription_id AND k.starts_on = src.starts_on
              AND ({old}) IS DISTINCT FROM ({new})""",
            sets=[compose("{name} = src.{name}", name=name) for name in columns],
            source=source,
            old=[sql.Identifier("k", name) for name in columns],
            new=new,
        ),
        compose(
            """
            INSERT INTO accounts_subscriptionspan (subscription_id, starts_on, {columns})
            SELECT src.subscription_id, src.starts_on, {new} FROM ({source}) src
            WHERE NOT EXISTS (
                SELECT FROM accounts_subscriptionspan k
                WHERE k.subscription_id = src.subscription_id AND k.starts_on = src.starts_on
            )""",
            columns=columns,
            new=new,
            source=source,
        ),
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
