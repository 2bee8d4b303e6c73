"""Counting what each source of data accepted and refused (accounts.models.sources), for the Data sources page.

Call these after the source's own work is settled: `source_accepted` inside the transaction that stores the
records (so a rolled-back request counts nothing), `source_rejected` outside the one a refusal rolled back (so
the refusal is remembered although nothing else is). Each is one statement whatever the number of records.
"""

from __future__ import annotations

import random
from datetime import datetime
from typing import Any

from django.db import connection
from django.utils import timezone
from psycopg.types.json import Jsonb

from accounts.models import SOURCE_DAY_SLOTS, DataSource

# The latest refusals kept per source; the page lists the most recent of them.
SOURCE_REJECTIONS_KEPT = 200

_COUNT_SQL = """
    INSERT INTO accounts_sourceday (source, day, slot, accepted, rejected, last_at)
    VALUES (%(source)s, %(day)s, %(slot)s, %(accepted)s, %(rejected)s, %(at)s)
    ON CONFLICT (source, day, slot) DO UPDATE SET
        accepted = accounts_sourceday.accepted + EXCLUDED.accepted,
        rejected = accounts_sourceday.rejected + EXCLUDED.rejected,
        last_at = greatest(accounts_sourceday.last_at, EXCLUDED.last_at)
"""
_REJECTION_SQL = """
    WITH added AS (
        INSERT INTO accounts_sourcerejection (source, received_at, reason, detail)
        VALUES (%(source)s, %(at)s, %(reason)s, %(detail)s::jsonb)
        RETURNING id
    )
    DELETE FROM accounts_sourcerejection
    WHERE source = %(source)s AND id <= (
        SELECT id FROM accounts_sourcerejection WHERE source = %(source)s
        ORDER BY id DESC OFFSET %(kept)s - 1 LIMIT 1
    ) AND id NOT IN (SELECT id FROM added)
"""


def _count(source: DataSource, *, accepted: int, rejected: int, at: datetime | None) -> None:
    at = at or timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            _COUNT_SQL,
            {
                "source": source.value,
                "day": timezone.localdate(at),
                "slot": random.randrange(SOURCE_DAY_SLOTS),
                "accepted": accepted,
                "rejected": rejected,
                "at": at,
            },
        )


def source_accepted(source: DataSource, count: int, *, at: datetime | None = None) -> None:
    """`count` records of `source` were stored (a resent duplicate that changed nothing counts too: it came)."""
    if count > 0:
        _count(source, accepted=count, rejected=0, at=at)


def source_rejected(
    source: DataSource,
    reason: str,
    *,
    detail: dict[str, Any] | None = None,
    count: int = 1,
    at: datetime | None = None,
) -> None:
    """A request (or `count` records) of `source` was refused for `reason`; `detail` says which (no secrets)."""
    at = at or timezone.now()
    _count(source, accepted=0, rejected=max(count, 1), at=at)
    with connection.cursor() as cursor:
        params: dict[str, Any] = {
            "source": source.value,
            "at": at,
            "reason": reason[:2000],
            "detail": Jsonb(detail or {}),
            "kept": SOURCE_REJECTIONS_KEPT,
        }
        cursor.execute(_REJECTION_SQL, params)
