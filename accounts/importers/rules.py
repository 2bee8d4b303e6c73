"""Rules across rows, files and what Keel already holds, checked set-based on the staging tables (DATA.md §1).

Each rule is one query returning the lines it finds bad, in line order. A file's rules only look at files before
it in `SPECS` (already staged) and at Keel's tables, which hold the earlier files' rows once they are written:
so a reference resolves to the bundle or to Keel whatever the order of the files.

Raw SQL because the staging tables are TEMP tables the ORM does not know; table and column names come from the
specs, never from the bundle, and go in through psycopg.sql (`queries.query`); values are parameters.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from psycopg import sql

from accounts.importers.fields import shown
from accounts.importers.report import ErrorLog
from accounts.importers.specs import ACCOUNTS, CONTACTS, RESPONSES, SUBSCRIPTIONS, TEAM, TICKETS
from accounts.importers.staging import Staged
from accounts.sql import compose

Reason = Callable[..., str]


# What a reference may name: the bundle's file (its staging table and column) or Keel's table (and column).
_ACCOUNT = (ACCOUNTS.table, "id", "accounts_account", "external_id", "account")
_CONTACT = (CONTACTS.table, "id", "accounts_contact", "external_id", "contact")
_CSM = (TEAM.table, "email", "accounts_user", "email", "CSM")


@dataclass(frozen=True)
class _Rules:
    """The rules of one staged file, run on `cursor`, reporting the lines they find into `log`."""

    cursor: Any
    log: ErrorLog
    staged: Staged

    def report(self, *, column: str, rule: sql.Composed, reason: Reason, source: str) -> None:
        """Run a rule: `rule` returns `line` then the values `reason` turns into the message."""
        self.cursor.execute(
            compose(
                "SELECT problem.*, count(*) OVER () FROM ({rule}) problem ORDER BY problem.line LIMIT %s",
                rule=rule,
            ),
            [self.log.limit],
        )
        rows = self.cursor.fetchall()
        for line, *values, _ in rows:
            self.log.add(self.staged.spec.name, line, column, reason(*values), source=source)
        if rows:
            self.log.add_more(rows[0][-1] - len(rows))

    def repeated_key(self, *key: str, shown_as: str = "") -> None:
        """Rows whose key is on an earlier line too. `shown_as`: how the key reads in the message (SQL written in
        this module: code, never input)."""
        not_null = sql.SQL(" AND ").join(compose("{name} IS NOT NULL", name=name) for name in key)
        self.report(
            column=key[0],
            rule=compose(
                """
                SELECT line, {shown_as}, first_line FROM (
                    SELECT line, {key}, min(line) OVER (PARTITION BY {key}) AS first_line
                    FROM {table} WHERE {not_null}
                ) keyed WHERE line > first_line""",
                shown_as=sql.SQL(shown_as) if shown_as else compose("concat_ws(' from ', {key})", key=key),
                key=key,
                table=self.staged.spec.table,
                not_null=not_null,
            ),
            reason=lambda key, first: f"{shown(key)} repeats line {first}",
            source="repeated key",
        )

    def unknown(self, column: str, target: tuple[str, ...]) -> None:
        """Rows whose `column` names a `target` (see _ACCOUNT) neither in the bundle nor in Keel."""
        bundle_table, bundle_key, keel_table, keel_key, noun = target
        self.report(
            column=column,
            rule=compose(
                """
                SELECT s.line, s.{column} FROM {table} s
                WHERE s.{column} IS NOT NULL
                  AND NOT EXISTS (SELECT FROM {bundle_table} b WHERE b.{bundle_key} = s.{column})
                  AND NOT EXISTS (SELECT FROM {keel_table} k WHERE k.{keel_key} = s.{column})""",
                column=column,
                table=self.staged.spec.table,
                bundle_table=bundle_table,
                bundle_key=bundle_key,
                keel_table=keel_table,
                keel_key=keel_key,
            ),
            reason=lambda value: f"unknown {noun} {shown(value)}",
            source=f"unknown {column}",
        )


def _check_team(rules: _Rules) -> None:
    rules.repeated_key("email")


def _check_accounts(rules: _Rules) -> None:
    rules.repeated_key("id")
    rules.unknown("csm_email", _CSM)


def _check_contacts(rules: _Rules) -> None:
    rules.repeated_key("id")
    rules.unknown("account_id", _ACCOUNT)


def _check_subscriptions(rules: _Rules) -> None:
    table = SUBSCRIPTIONS.table
    # An optional column left out keeps the stored value of the span with the same key (subscription_id,
    # starts_on), so the spans are checked, and then written, as they will be.
    kept = [name for name in ("ends_on", "plan", "renews_on", "term") if not rules.staged.has(name)]
    if kept:
        rules.cursor.execute(
            compose(
                """UPDATE {table} s SET {sets} FROM accounts_subscriptionspan k
                   WHERE k.subscription_id = s.subscription_id AND k.starts_on = s.starts_on""",
                table=table,
                sets=[compose("{name} = k.{name}", name=name) for name in kept],
            )
        )
    rules.repeated_key("subscription_id", "starts_on")
    rules.unknown("account_id", _ACCOUNT)
    rules.report(
        column="account_id",
        rule=compose(
            """
            SELECT line, subscription_id, first_account, first_line FROM (
                SELECT line, subscription_id, account_id,
                       first_value(account_id) OVER by_line AS first_account,
                       first_value(line) OVER by_line AS first_line
                FROM {table} WHERE subscription_id IS NOT NULL AND account_id IS NOT NULL
                WINDOW by_line AS (PARTITION BY subscription_id ORDER BY line)
            ) spans WHERE account_id <> first_account""",
            table=table,
        ),
        reason=lambda subscription, account, line: (
            f"{shown(subscription)} belongs to account {shown(account)} on line {line}; "
            "a subscription's spans belong to one account"
        ),
        source="two accounts",
    )
    rules.report(
        column="starts_on",
        rule=compose(
            """
            SELECT later.line, later.starts_on, later.ends_on, min(earlier.line)
            FROM {table} later JOIN {table} earlier
              ON earlier.subscription_id = later.subscription_id AND earlier.line < later.line
             AND earlier.starts_on <> later.starts_on
             AND daterange(earlier.starts_on, earlier.ends_on) && daterange(later.starts_on, later.ends_on)
            WHERE earlier.ok AND later.ok
            GROUP BY later.line, later.starts_on, later.ends_on""",
            table=table,
        ),
        reason=lambda starts_on, ends_on, line: (
            f"the span {starts_on}…{ends_on or ''} overlaps the span on line {line}"
        ),
        source="overlap",
    )


def _check_tickets(rules: _Rules) -> None:
    rules.repeated_key("id")
    rules.unknown("account_id", _ACCOUNT)
    for column in ("first_response_at", "resolved_at"):
        if rules.staged.has(column):
            continue  # checked inside each row (specs.TICKETS)
        rules.report(
            column="created_at",
            rule=compose(
                """
                SELECT s.line, s.created_at, k.{column} FROM {table} s
                JOIN accounts_ticket k ON k.external_id = s.id
                WHERE k.{column} < s.created_at""",
                column=column,
                table=TICKETS.table,
            ),
            reason=lambda created_at, stored, column=column: (
                f"{created_at.isoformat()} is after the stored {column} {stored.isoformat()}"
            ),
            source=f"stored {column}",
        )


def _check_spend(rules: _Rules) -> None:
    rules.repeated_key("month", shown_as="to_char(month, 'YYYY-MM')")


def _check_responses(rules: _Rules) -> None:
    table = RESPONSES.table
    # Left-out contact_id / account_id keep the stored ones; the account follows the contact when there is one.
    if not rules.staged.has("contact_id"):
        rules.cursor.execute(
            compose(
                """UPDATE {table} s SET contact_id = c.external_id
                   FROM accounts_surveyresponse r JOIN accounts_contact c ON c.id = r.contact_id
                   WHERE r.external_id = s.id""",
                table=table,
            )
        )
    if not rules.staged.has("account_id"):
        rules.cursor.execute(
            compose(
                """UPDATE {table} s SET account_id = a.external_id
                   FROM accounts_surveyresponse r JOIN accounts_account a ON a.id = r.account_id
                   WHERE r.external_id = s.id AND s.contact_id IS NULL""",
                table=table,
            )
        )
    rules.repeated_key("id")
    rules.unknown("contact_id", _CONTACT)
    rules.unknown("account_id", _ACCOUNT)
    rules.report(
        column="contact_id",
        rule=compose("SELECT line FROM {table} WHERE contact_id IS NULL AND account_id IS NULL", table=table),
        reason=lambda: "one of contact_id and account_id is required",
        source="no contact or account",
    )
    if rules.staged.has("account_id"):
        rules.report(
            column="account_id",
            rule=compose(
                """
                WITH bundle_contact AS (
                    SELECT DISTINCT ON (id) id, account_id FROM {contacts}
                    WHERE id IS NOT NULL ORDER BY id, line DESC
                )
                SELECT s.line, s.account_id, s.contact_id, coalesce(b.account_id, a.external_id) AS owner
                FROM {table} s
                LEFT JOIN bundle_contact b ON b.id = s.contact_id
                LEFT JOIN accounts_contact c ON c.external_id = s.contact_id
                LEFT JOIN accounts_account a ON a.id = c.account_id
                WHERE s.account_id IS NOT NULL
                  AND coalesce(b.account_id, a.external_id) <> s.account_id""",
                contacts=CONTACTS.table,
                table=table,
            ),
            reason=lambda account, contact, owner: (
                f"{shown(account)} but contact {shown(contact)} belongs to account {shown(owner)}"
            ),
            source="contact's account",
        )


CHECKS: dict[str, Callable[[_Rules], None]] = {
    "team": _check_team,
    "accounts": _check_accounts,
    "contacts": _check_contacts,
    "subscriptions": _check_subscriptions,
    "tickets": _check_tickets,
    "spend": _check_spend,
    "responses": _check_responses,
}


def file_check(cursor: Any, *, staged: Staged, log: ErrorLog) -> None:
    """Report the staged file's rows that break a rule across rows, files or Keel's data."""
    CHECKS[staged.spec.key](_Rules(cursor, log, staged))
