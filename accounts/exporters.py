"""The whole book of business as a CSV bundle in the format of DATA.md §1 (`export_bundle DIR`): every file that
Keel holds data for, so that importing the bundle into an empty Keel gives the same facts, the same KPIs and
the same health.

Raw SQL run as `COPY (SELECT …) TO STDOUT (FORMAT csv)`: PostgreSQL writes the CSV itself (quotes, commas,
newlines and any Unicode as RFC 4180 asks) at COPY's speed, with no Python per row, from one snapshot of the
database (REPEATABLE READ), so the files agree with each other while imports keep running. Instants are written
in UTC with `Z` and their microseconds; money with its four stored decimals.

What a bundle cannot say is not exported: who owned an account before its current CSM (an import makes the
current one the owner of all its history), deactivated people (they come back active), and what is not a raw
fact (snapshots, tasks, surveys Keel sent, credentials, the audit log).
"""

from __future__ import annotations

from pathlib import Path

from django.db import connection, transaction

_INSTANT = "to_char({} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
_DAY = "to_char({}, 'YYYY-MM-DD')"


def _at(column: str) -> str:
    return _INSTANT.format(column)


def _day(column: str) -> str:
    return _DAY.format(column)


# file → the SELECT of its rows, columns named as DATA.md names them, in a stable order (the same book exports
# the same bytes).
BUNDLE_QUERIES: dict[str, str] = {
    "team.csv": """
        SELECT email, COALESCE(NULLIF(name, ''), email) AS name, role FROM accounts_user ORDER BY email
    """,
    "accounts.csv": f"""
        SELECT a.external_id AS id, a.name, a.segment, u.email AS csm_email, {_day("a.created_on")} AS created_on,
               a.seats
        FROM accounts_account a LEFT JOIN accounts_user u ON u.id = a.csm_id
        ORDER BY a.external_id
    """,
    "contacts.csv": """
        SELECT c.external_id AS id, a.external_id AS account_id, c.email, c.name, c.title
        FROM accounts_contact c JOIN accounts_account a ON a.id = c.account_id
        ORDER BY c.external_id
    """,
    "subscriptions.csv": f"""
        SELECT s.subscription_id, a.external_id AS account_id, s.amount::text AS amount, s.interval,
               {_day("s.starts_on")} AS starts_on, {_day("s.ends_on")} AS ends_on, s.plan, s.currency,
               {_day("s.renews_on")} AS renews_on, s.term
        FROM accounts_subscriptionspan s JOIN accounts_account a ON a.id = s.account_id
        ORDER BY s.subscription_id, s.starts_on
    """,
    "tickets.csv": f"""
        SELECT t.external_id AS id, a.external_id AS account_id, {_at("t.created_at")} AS created_at,
               {_at("t.first_response_at")} AS first_response_at, {_at("t.resolved_at")} AS resolved_at,
               t.priority, t.status, t.replies, t.subject
        FROM accounts_ticket t JOIN accounts_account a ON a.id = t.account_id
        ORDER BY t.external_id
    """,
    "usage.csv": f"""
        SELECT a.external_id AS account_id, e.user_id, e.event, {_at("e.occurred_at")} AS occurred_at, e.count
        FROM accounts_usageevent e JOIN accounts_account a ON a.id = e.account_id
        ORDER BY a.external_id, e.occurred_at, e.user_id, e.event
    """,
    "spend.csv": """
        SELECT to_char(month, 'YYYY-MM') AS month, amount::text AS amount FROM accounts_spend ORDER BY month
    """,
    "responses.csv": f"""
        SELECT r.external_id AS id, r.kind, r.score, {_at("r.responded_at")} AS responded_at,
               c.external_id AS contact_id, a.external_id AS account_id, r.comment
        FROM accounts_surveyresponse r
        JOIN accounts_account a ON a.id = r.account_id
        LEFT JOIN accounts_contact c ON c.id = r.contact_id
        ORDER BY r.external_id
    """,
}


def bundle_export(*, directory: Path) -> dict[str, int]:
    """Write every file of BUNDLE_QUERIES into `directory` (created if missing; files there are replaced) and
    return the rows written per file (its header left out)."""
    directory.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    outermost = not connection.in_atomic_block
    with transaction.atomic(), connection.cursor() as cursor:
        if outermost:  # one snapshot for every file (inside a caller's transaction, the caller's)
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        raw = cursor.cursor
        for name, query in BUNDLE_QUERIES.items():
            statement = f"COPY ({query}) TO STDOUT (FORMAT csv, HEADER, ENCODING 'UTF8')"
            with (directory / name).open("wb") as file, raw.copy(statement) as copy:
                for block in copy:
                    file.write(block)
            counts[name] = max(raw.rowcount, 0)
    return counts
