"""Write keys of the Segment endpoint: created and revoked by admins, stored as a SHA-256 only."""

from __future__ import annotations

from django.db import connection, transaction

from accounts.models import SegmentWriteKey, User
from accounts.services.audit import audit_record
from accounts.services.secrets import LAST_USED_EVERY_SECONDS, secret_hash, secret_new, secret_revoke

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


def write_key_create(*, name: str, user: User | None) -> tuple[SegmentWriteKey, str]:
    """A new key; returns it and its secret, which is not stored and cannot be shown again."""
    secret = secret_new(length=24)
    with transaction.atomic():
        key = SegmentWriteKey.objects.create(
            name=name.strip(), key_hash=secret_hash(secret), prefix=secret[:6], created_by=user
        )
        audit_record(actor=user, action="segment_key.create", target=key)
    return key, secret


def write_key_revoke(*, key: SegmentWriteKey, by: User | None = None) -> None:
    """Requests with the key are refused from now on (401). Revoking twice keeps the first time (and leaves
    one entry in the audit log)."""
    with transaction.atomic():
        if secret_revoke(SegmentWriteKey, key.pk):
            audit_record(actor=by, action="segment_key.revoke", target=key)


def write_key_authenticate(secret: str) -> int | None:
    """The id of the live key with this secret (its last use noted), or None. One statement."""
    with connection.cursor() as cursor:
        cursor.execute(_AUTHENTICATE, {"hash": secret_hash(secret), "every": LAST_USED_EVERY_SECONDS})
        row = cursor.fetchone()
    return row[0] if row else None
