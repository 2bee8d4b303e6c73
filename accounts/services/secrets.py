"""What Keel's two kinds of credentials share (API tokens, Segment write keys): a new secret shown once, only its
SHA-256 kept, revoking for good, and noting the last use at most once a minute rather than on every request."""

from __future__ import annotations

import hashlib
import secrets as random_secrets

from django.db import models
from django.utils import timezone

# last_used_at is written at most this often per credential, so a burst of requests does not update one row each.
LAST_USED_EVERY_SECONDS = 60


def secret_new(*, prefix: str = "", length: int = 32) -> str:
    """An unguessable secret (`length` random bytes, URL-safe), starting with `prefix`."""
    return prefix + random_secrets.token_urlsafe(length)


def secret_hash(secret: str) -> str:
    """The SHA-256 a credential is found by (hex); a string of any characters hashes, none is refused."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def secret_revoke(model: type[models.Model], pk: int) -> bool:
    """The credential `pk` of `model` is refused from now on; revoking twice keeps the first time. True when
    this call revoked it (False: it was revoked already)."""
    return bool(
        model._default_manager.filter(pk=pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    )
