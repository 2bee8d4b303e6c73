"""Writing a checked, staged bundle file into Keel's tables: set-based upserts, counted (DATA.md §1).

Per file: one UPDATE of the rows whose values differ, then one INSERT … SELECT of the keys Keel lacks, so
re-importing the same bundle writes nothing, and the counts come from the row counts (unchanged = the rest).
`ON CONFLICT DO UPDATE` is not used: it locks and dirties every row it meets, even unchanged ones.

Raw SQL because the sources are TEMP staging tables; names come from the specs and go in through psycopg.sql
(`queries.query`), values are parameters.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
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


@dataclass(frozen=True)
class Upsert:
    """How a file's staged rows go into `table` by `key` (Keel's column → bundle column, one or more): one
    UPDATE of the rows whose values differ, then one INSERT of the keys Keel lacks.

    The assigns' values and defaults, `joins` and the values of `on_insert` and `on_update` are SQL written in
    this module (code, never input): they go in as sql.SQL, the names as identifiers. `params` are their values.
    """

    table: str
    key: Mapping[str, str]
    assigns: tuple[Assign, ...]
    joins: str = ""
    on_insert: Mapping[str, str] = field(default_factory=dict)
    on_update: Mapping[str, str] = field(default_factory=dict)
    params: Mapping[str, Any] = field(default_factory=dict)

    def write(self, cursor: Any, staged: Staged, today: date, **params: Any) -> FileCounts:
        """A file's writer (WRITERS): the day does not change an upsert; `params` add to the declared ones."""
        written = [assign for assign in self.assigns if assign.column is None or staged.has(assign.column)]
        targets = [assign.target for assign in written]
        values: list[sql.Composable] = [
            compose("s.{bundle} AS {name}", bundle=bundle, name=name) for name, bundle in self.key.items()
        ]
        values += [compose("{value} AS {target}", value=sql.SQL(a.value), target=a.target) for a in written]
        values.append(compose("s.line AS _line"))  # new rows get their ids in the file's order
        source = compose(
            "SELECT {values} FROM {staging} s {joins}",
            values=values,
            staging=staged.spec.table,
            joins=sql.SQL(self.joins),
        )
        same_key = sql.SQL(" AND ").join(compose("t.{name} = src.{name}", name=name) for name in self.key)
        params = {**self.params, **params}
        updated = 0
        if written:
            sets = [compose("{target} = src.{target}", target=target) for target in targets]
            sets += [
                compose("{name} = {value}", name=name, value=sql.SQL(value))
                for name, value in self.on_update.items()
            ]
            update = compose(
                """
                UPDATE {table} t SET {sets} FROM ({source}) src
                WHERE {same_key} AND ({old}) IS DISTINCT FROM ({new})""",
                table=self.table,
                sets=sets,
                source=source,
                same_key=same_key,
                old=[sql.Identifier("t", target) for target in targets],
                new=[sql.Identifier("src", target) for target in targets],
            )
            cursor.execute(update, params)
            updated = cursor.rowcount
        inserted: dict[str, sql.Composable] = {
            name: sql.Identifier("src", name) for name in [*self.key, *targets]
        }
        inserted |= {
            a.target: sql.SQL(a.default) for a in self.assigns if a not in written and a.default != "NULL"
        }
        inserted |= {name: sql.SQL(value) for name, value in self.on_insert.items()}
        insert = compose(
            """
            INSERT INTO {table} ({columns})
            SELECT {values} FROM ({source}) src
            WHERE NOT EXISTS (SELECT FROM {table} t WHERE {same_key})
            ORDER BY src._line""",
            table=self.table,
            columns=list(inserted),
            values=list(inserted.values()),
            source=source,
            same_key=same_key,
        )
        cursor.execute(insert, params)
        created = cursor.rowcount
        return FileCounts(created=created, updated=updated, unchanged=staged.rows - created - updated)


_JOIN_ACCOUNT = "JOIN accounts_account a ON a.external_id = s.account_id"

_TEAM = Upsert(
    table="accounts_user",
    key={"email": "email"},
    assigns=(Assign("name", "s.name", "name"), Assign("role", "s.role", "role")),
    # Unusable password, as User.objects.create_user(email, None) gives: a reset or an admin sets one.
    on_insert={
        "password": "%(unusable)s || left(md5(random()::text) || md5(random()::text), %(suffix)s)",
        "is_active": "true",
        "date_joined": "now()",
    },
    params={"unusable": UNUSABLE_PASSWORD_PREFIX, "suffix": UNUSABLE_PASSWORD_SUFFIX_LENGTH},
)

_ACCOUNTS = Upsert(
    table="accounts_account",
    key={"external_id": "id"},
    assigns=(
        Assign("name", "s.name", "name"),
        Assign("segment", "s.segment", "segment"),
        Assign("csm_id", "u.id", "csm_email"),
        Assign("created_on", "s.created_on", "created_on"),
        Assign("seats", "s.seats", "seats"),
    ),
    joins="LEFT JOIN accounts_user u ON u.email = s.csm_email",
    on_insert={"created_at": "now()", "updated_at": "now()"},
    on_update={"updated_at": "now()"},
)

_CONTACTS = Upsert(
    table="accounts_contact",
    key={"external_id": "id"},
    assigns=(
        Assign("account_id", "a.id", None),
        Assign("email", "s.email", "email"),
        Assign("name", "s.name", "name", "''"),
        Assign("title", "s.title", "title", "''"),
    ),
    joins=_JOIN_ACCOUNT,
)

# Every column written, present or not: subscriptions.csv is authoritative (_write_subscriptions).
_SUBSCRIPTIONS = Upsert(
    table="accounts_subscriptionspan",
    key={"subscription_id": "subscription_id", "starts_on": "starts_on"},
    assigns=(
        Assign("account_id", "a.id", None),
        Assign("plan", "coalesce(s.plan, '')", None),
        Assign("interval", "s.interval", None),
        Assign("amount", "s.amount", None),
        Assign("currency", "%(currency)s", None),
        Assign("ends_on", "s.ends_on", None),
        Assign("renews_on", "s.renews_on", None),
        Assign("term", "coalesce(s.term, '')", None),
    ),
    joins=_JOIN_ACCOUNT,
)

_TICKETS = Upsert(
    table="accounts_ticket",
    key={"external_id": "id"},
    assigns=(
        Assign("account_id", "a.id", None),
        Assign("created_at", "s.created_at", "created_at"),
        Assign("first_response_at", "s.first_response_at", "first_response_at"),
        Assign("resolved_at", "s.resolved_at", "resolved_at"),
        Assign("priority", "s.priority", "priority", "'normal'"),
        Assign("status", "s.status", "status", "''"),
        Assign("replies", "s.replies", "replies"),
        Assign("subject", "s.subject", "subject", "''"),
    ),
    joins=_JOIN_ACCOUNT,
)

_SPEND = Upsert(
    table="accounts_spend", key={"month": "month"}, assigns=(Assign("amount", "s.amount", "amount"),)
)

# contact_id / account_id were completed with the stored ones when left out (rules._check_responses), so
# both are always written: the account is the contact's when there is a contact.
_RESPONSES = Upsert(
    table="accounts_surveyresponse",
    key={"external_id": "id"},
    assigns=(
        Assign("kind", "s.kind", "kind"),
        Assign("score", "s.score", "score"),
        Assign("responded_at", "s.responded_at", "responded_at"),
        Assign("contact_id", "c.id", None),
        Assign("account_id", "coalesce(c.account_id, a.id)", None),
        Assign("comment", "s.comment", "comment", "''"),
    ),
    joins="""LEFT JOIN accounts_contact c ON c.external_id = s.contact_id
              LEFT JOIN accounts_account a ON a.external_id = s.account_id""",
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
    counts = _ACCOUNTS.write(cursor, staged, today)
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
    counts = _CONTACTS.write(cursor, staged, today)
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
    cursor.execute(
        compose(
            """DELETE FROM accounts_subscriptionspan k
               WHERE k.subscription_id IN (SELECT subscription_id FROM {table})
                 AND NOT EXISTS (
                     SELECT FROM {table} s
                     WHERE s.subscription_id = k.subscription_id AND s.starts_on = k.starts_on
                 )""",
            table=SUBSCRIPTIONS.table,
        )
    )
    deleted = cursor.rowcount
    counts = _SUBSCRIPTIONS.write(cursor, staged, today, currency=settings.KEEL_CURRENCY)
    counts.deleted = deleted
    return counts


WRITERS: dict[str, Callable[[Any, Staged, date], FileCounts]] = {
    "team": _TEAM.write,
    "accounts": _write_accounts,
    "contacts": _write_contacts,
    "subscriptions": _write_subscriptions,
    "tickets": _TICKETS.write,
    "spend": _SPEND.write,
    "responses": _RESPONSES.write,
}


def file_write(cursor: Any, *, staged: Staged, today: date) -> FileCounts:
    """Write a staged file that passed every rule into Keel's tables; returns its counts."""
    return WRITERS[staged.spec.key](cursor, staged, today)
