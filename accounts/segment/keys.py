"""Write keys of the Segment endpoint: created and revoked by admins, stored as a SHA-256 only."""

from __future__ import annotations

import hashlib
import secrets

from django.db import connection
from django.utils import timezone

from accounts.models import SegmentWriteKey, User

# last_used_at is written at most this often per key, so a burst of batches does not update one row each.
LAST_USED_EVERY_SECONDS = 60

_AUTHENTICATE = """
    WITH k AS (
        SELECT id, last_used_at FROM accounts_segmentwritekey WHERE key_hash = %(hash)s AND revoked_at IS NULL
    ), used AS (
        UPDATE accounts_segmentwritekey w SET last_used_at = now() FROM k
        WHERE w.id = k.id AND (k.last_used_at IS NULL
            OR k.last_used_at < now() - make_interval(secs => %(every)s))
    )
    SELECT id FROM k
"""


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def write_key_create(*, name: str, user: User | None) -> tuple[SegmentWriteKey, str]:
    """A new key; returns it and its secret, which is not stored and cannot be shown again."""
    secret = secrets.token_urlsafe(24)
    key = SegmentWriteKey.objects.create(
        name=name.strip(), key_hash=_hash(secret), prefix=secret[:6], created_by=user
    )
    return key, secret


def write_key_revoke(*, key: SegmentWriteKey) -> None:
    """Requests with the key are refused from now on (401). Revoking twice keeps the first time."""
    SegmentWriteKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


def write_key_authenticate(secret: str) -> int | None:
    """The id of the live key with this secret (its last use noted), or None. One statement."""
    with connection.cursor() as cursor:
        cursor.execute(_AUTHENTICATE, {"hash": _hash(secret), "every": LAST_USED_EVERY_SECONDS})
        row = cursor.fetchone()
    return row[0] if row else None
