"""Folding accepted Segment messages into Keel's facts, in bulk and set-based (DATA.md §3).

A round takes up to FOLD_ROUND_ROWS pending messages (oldest first) and, in one transaction:
1. `group` calls link their user to an account (`SegmentUserAccount`; the newest by event time wins);
2. `track` calls whose account resolves become usage events through the importer's own merge
   (`accounts.importers.usage.usage_merge`: the usage key rule, the usage journal); the account comes from the
   message (`context.groupId`, else `properties.account_id`), else from the user's link. A track whose account
   Keel does not know stays in the table as `waiting`, is counted as rejected once, and is folded again when a
   `group` call for its user comes in, or by the periodic sweep once its account exists;
3. `identify` calls update the contact whose external id is the userId, else those with the trait's email:
   `name` (or `firstName` + `lastName`), `email` (with an @) and `title`, each only when the trait is there and
   fits its column. An identify that matches no contact changes nothing (state `unmatched`).
Rounds of one process and another never interleave (an advisory lock), so folding twice gives one result.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from accounts.importers.usage import usage_merge, usage_staging_create
from accounts.models import DataSource
from accounts.services import source_rejected
from accounts.sql import compose

FOLD_ROUND_ROWS = 20_000
# Folded messages are kept this long (their messageId dedupes resends meanwhile), then a daily task deletes them.
KEPT_DAYS = 30
_LOCK = "keel.segment_fold"

_CLAIM = """
    CREATE TEMP TABLE _seg ON COMMIT DROP AS
    SELECT id, message_id, kind, user_id, event, account_ref, occurred_at, body, state AS was,
           NULL::text AS outcome, NULL::bigint AS account_id
    FROM accounts_segmentmessage WHERE state = 'pending' ORDER BY id LIMIT %(limit)s
"""
# Waiting tracks of users linked in this round, and with `retry` every waiting track whose account now exists.
_RETRY = """
    INSERT INTO _seg
    SELECT m.id, m.message_id, m.kind, m.user_id, m.event, m.account_ref, m.occurred_at, m.body, m.state, NULL, NULL
    FROM accounts_segmentmessage m
    WHERE m.state = 'waiting' AND (
        m.user_id IN (SELECT user_id FROM _seg WHERE kind = 'group')
        OR (%(retry)s AND EXISTS (
            SELECT FROM accounts_account a LEFT JOIN accounts_segmentuseraccount l ON l.user_id = m.user_id
            WHERE a.external_id = coalesce(nullif(m.account_ref, ''), l.account_ref))))
"""
_LINK = """
    INSERT INTO accounts_segmentuseraccount (user_id, account_ref, linked_at)
    SELECT DISTINCT ON (user_id) user_id, account_ref, occurred_at FROM _seg
    WHERE kind = 'group' ORDER BY user_id, occurred_at DESC, id DESC
    ON CONFLICT (user_id) DO UPDATE SET account_ref = excluded.account_ref, linked_at = excluded.linked_at
    WHERE excluded.linked_at >= accounts_segmentuseraccount.linked_at
"""
_RESOLVE = """
    UPDATE _seg s SET account_id = a.id
    FROM _seg t LEFT JOIN accounts_segmentuseraccount l ON l.user_id = t.user_id
    JOIN accounts_account a ON a.external_id = coalesce(nullif(t.account_ref, ''), l.account_ref)
    WHERE s.id = t.id AND t.kind = 'track'
"""
_STAGE = """
    INSERT INTO {staged} (line, account_id, user_id, event, occurred_at, count)
    SELECT id, account_id, user_id, event, occurred_at, 1 FROM _seg WHERE kind = 'track' AND account_id IS NOT NULL
"""
# The newest identify of each user; the contacts it names (external id = userId, else the trait's email).
_IDENTIFY = """
    WITH latest AS (
        SELECT DISTINCT ON (user_id) id, user_id, body -> 'traits' AS traits FROM _seg
        WHERE kind = 'identify' AND jsonb_typeof(body -> 'traits') = 'object'
        ORDER BY user_id, occurred_at DESC, id DESC
    ), named AS (
        SELECT l.id, c.id AS contact_id, l.traits FROM latest l JOIN accounts_contact c ON c.external_id = l.user_id
        UNION ALL
        SELECT l.id, c.id, l.traits FROM latest l JOIN accounts_contact c
            ON lower(c.email) = lower(l.traits ->> 'email')
        WHERE NOT EXISTS (SELECT FROM accounts_contact x WHERE x.external_id = l.user_id)
    ), fields AS (
        SELECT DISTINCT ON (contact_id) id, contact_id,
            coalesce(nullif(btrim(traits ->> 'name'), ''),
                     nullif(btrim(concat_ws(' ', traits ->> 'firstName', traits ->> 'lastName')), '')) AS name,
            btrim(traits ->> 'email') AS email, btrim(traits ->> 'title') AS title
        FROM named ORDER BY contact_id, id DESC
    ), changed AS (
        UPDATE accounts_contact c SET
            name = CASE WHEN length(f.name) <= 200 THEN f.name ELSE c.name END,
            email = CASE WHEN length(f.email) <= 254 AND strpos(f.email, '@') > 1 THEN f.email ELSE c.email END,
            title = CASE WHEN length(f.title) <= 200 THEN f.title ELSE c.title END
        FROM fields f WHERE c.id = f.contact_id
        RETURNING f.id
    )
    UPDATE _seg s SET outcome = 'applied'
    WHERE s.kind = 'identify' AND s.user_id IN (SELECT l.user_id FROM latest l JOIN named n ON n.id = l.id)
"""
_OUTCOMES = """
    UPDATE _seg SET outcome = CASE
        WHEN kind = 'track' THEN CASE WHEN account_id IS NULL THEN 'waiting' ELSE 'applied' END
        WHEN kind = 'identify' THEN coalesce(outcome, 'unmatched')
        ELSE 'applied' END
"""
_MARK = """
    UPDATE accounts_segmentmessage m SET state = s.outcome FROM _seg s WHERE m.id = s.id AND m.state <> s.outcome
"""
_NEWLY_WAITING = """
    SELECT count(*), (array_agg(message_id ORDER BY id))[1:5], (array_agg(DISTINCT coalesce(
        nullif(account_ref, ''), (SELECT l.account_ref FROM accounts_segmentuseraccount l
                                 WHERE l.user_id = _seg.user_id), '')))[1:5]
    FROM _seg WHERE outcome = 'waiting' AND was = 'pending'
"""


def segment_fold(*, retry_waiting: bool = False, max_rounds: int = 1000) -> int:
    """Fold pending messages, round after round until none is left; returns how many were folded."""
    folded = 0
    for round_number in range(max_rounds):
        count = _fold_round(retry_waiting=retry_waiting and round_number == 0)
        folded += count
        if count == 0:
            break
    return folded


def _fold_round(*, retry_waiting: bool) -> int:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [_LOCK])
        cursor.execute("DROP TABLE IF EXISTS pg_temp._seg")
        cursor.execute(_CLAIM, {"limit": FOLD_ROUND_ROWS})
        cursor.execute(_RETRY, {"retry": retry_waiting})
        cursor.execute("SELECT count(*) FROM _seg")
        (claimed,) = cursor.fetchone()
        if not claimed:
            return 0
        cursor.execute("ANALYZE _seg")
        cursor.execute(_LINK)
        cursor.execute(_RESOLVE)
        cursor.execute(compose(_STAGE, staged=usage_staging_create(cursor)))
        usage_merge(cursor, has_count=False)
        cursor.execute(_IDENTIFY)
        cursor.execute(_OUTCOMES)
        cursor.execute(_MARK)
        _waiting_count(cursor)
        return int(claimed)


def _waiting_count(cursor: Any) -> None:
    """Tracks that wait for their account for the first time are counted as rejected, once."""
    cursor.execute(_NEWLY_WAITING)
    count, messages, accounts = cursor.fetchone()
    if count:
        source_rejected(
            DataSource.SEGMENT,
            "track of an account Keel does not know (context.groupId, properties.account_id or the user's "
            "group call): kept, it applies once the account or a group call comes",
            count=count,
            detail={"messages": messages, "accounts": accounts},
        )


def segment_sweep() -> int:
    """The periodic sweep: fold what is pending (a lost task leaves nothing waiting for long) and retry the
    waiting tracks whose account now exists."""
    return segment_fold(retry_waiting=True)


def segment_messages_prune() -> int:
    """Delete folded messages received more than KEPT_DAYS ago (daily: the scan is of the whole table); waiting
    tracks are kept. Returns how many went."""
    cutoff = timezone.now() - timedelta(days=KEPT_DAYS)
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM accounts_segmentmessage WHERE state IN ('applied', 'unmatched') AND received_at < %s",
            [cutoff],
        )
        return int(cursor.rowcount)
