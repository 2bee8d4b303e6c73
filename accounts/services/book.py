"""Writes to the book of business that pages, the API and the importer share."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from accounts.models import BEGINNING_OF_TIME, Account, AccountOwnership, User
from accounts.sql import compose

# Set-based over every changed account at once (the importer may change thousands); the accounts and their new
# CSMs come in as two parallel arrays.
_CHANGES = "unnest(%(accounts)s::bigint[], %(csms)s::bigint[]) AS change(account_id, csm_id)"
_OWNER_CHANGE_SQL = (
    # An account that has no history yet was owned by its current CSM since always.
    f"""INSERT INTO accounts_accountownership (account_id, csm_id, valid_from, valid_to)
        SELECT a.id, a.csm_id, %(since)s, NULL FROM accounts_account a JOIN {_CHANGES} ON a.id = change.account_id
        WHERE NOT EXISTS (SELECT FROM accounts_accountownership o WHERE o.account_id = a.id)""",
    f"""UPDATE accounts_account a SET csm_id = change.csm_id, updated_at = now() FROM {_CHANGES}
        WHERE a.id = change.account_id AND a.csm_id IS DISTINCT FROM change.csm_id""",
    # An owner who started today is replaced in place rather than given a zero-day row.
    f"""UPDATE accounts_accountownership o SET csm_id = change.csm_id FROM {_CHANGES}
        WHERE o.account_id = change.account_id AND o.valid_to IS NULL AND o.valid_from = %(on)s""",
    f"""UPDATE accounts_accountownership o SET valid_to = %(on)s FROM {_CHANGES}
        WHERE o.account_id = change.account_id AND o.valid_to IS NULL AND o.valid_from < %(on)s""",
    f"""INSERT INTO accounts_accountownership (account_id, csm_id, valid_from, valid_to)
        SELECT change.account_id, change.csm_id, %(on)s, NULL FROM {_CHANGES}
        WHERE NOT EXISTS (
            SELECT FROM accounts_accountownership o
            WHERE o.account_id = change.account_id AND o.valid_to IS NULL
        )""",
)


def account_owners_change(*, changes: Mapping[int, int | None], on: date) -> None:
    """Give each account (by pk) its new CSM (user pk, or None for no owner) from day `on` onwards.

    DATA.md §1: a change of `csm_email` takes effect from the day of the change (a local date in
    KEEL_TIMEZONE) and earlier days keep the earlier owner. So the open AccountOwnership row is closed at `on`
    and a new one opens from `on` (or, when the open row started on `on`, it is updated in place), and
    Account.csm is set. Callers pass only accounts whose owner changes, on or after their open row's start.
    """
    if not changes:
        return
    params: dict[str, Any] = {
        "accounts": list(changes),
        "csms": list(changes.values()),
        "on": on,
        "since": BEGINNING_OF_TIME,
    }
    with transaction.atomic(), connection.cursor() as cursor:
        for sql in _OWNER_CHANGE_SQL:
            cursor.execute(sql, params)


def account_owner_change(*, account: Account, csm: User | None, on: date) -> None:
    """Make `csm` the owner of `account` from day `on` (see `account_owners_change`); no-op if already so.

    Raises ValueError when `on` is before the day the current owner started: history is not rewritten.
    """
    with transaction.atomic():
        locked = Account.objects.select_for_update().get(pk=account.pk)
        new_csm_id = csm.pk if csm is not None else None
        if locked.csm_id == new_csm_id:
            return
        current = AccountOwnership.objects.filter(account=locked, valid_to__isnull=True).first()
        if current is not None and on < current.valid_from:
            raise ValueError(f"the current owner of {locked} starts on {current.valid_from}, after {on}")
        account_owners_change(changes={locked.pk: new_csm_id}, on=on)
    account.csm = csm


def usage_days_changed(*, table: str, column: str = "occurred_at") -> None:
    """Record the local days (KEEL_TIMEZONE) of the instants in `table`.`column` in the usage journal
    (ChangedUsageDay). Every writer of UsageEvent calls it in its own transaction, for what it wrote."""
    with connection.cursor() as cursor:
        cursor.execute(
            compose(
                "INSERT INTO accounts_changedusageday (day, marked_at) "
                "SELECT DISTINCT ({column} AT TIME ZONE %s)::date, now() FROM {table} "
                "ON CONFLICT (day) DO UPDATE SET marked_at = excluded.marked_at",
                table=table,
                column=column,
            ),
            [settings.KEEL_TIMEZONE],
        )
