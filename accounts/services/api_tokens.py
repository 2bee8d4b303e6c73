"""Writes of API tokens: an admin makes one (the key is returned once and never stored) or revokes one."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import ApiToken, User
from accounts.services.audit import audit_record
from accounts.services.secrets import LAST_USED_EVERY_SECONDS, secret_hash, secret_new, secret_revoke

KEY_PREFIX = "keel_"


api_token_hash = secret_hash


def api_token_create(*, name: str, user: User, created_by: User) -> tuple[ApiToken, str]:
    """A new token acting as `user`, and its key (shown once: only its hash is kept). Admins only."""
    if not (created_by.is_active and created_by.is_admin):
        raise ValidationError("Only admins make API tokens.")
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Say what the token is for."})
    if not user.is_active:
        raise ValidationError({"user": f"{user.name} is deactivated."})
    key = secret_new(prefix=KEY_PREFIX)
    with transaction.atomic():
        token = ApiToken.objects.create(
            name=name[:200], key_hash=api_token_hash(key), prefix=key[:12], user=user, created_by=created_by
        )
        audit_record(
            actor=created_by,
            action="api_token.create",
            target=token,
            target_label=f"{token.name} ({token.prefix}…)",
            detail={"acts_as": user.email},
        )
    return token, key


def api_token_revoke(*, token: ApiToken, by: User) -> None:
    """Revoke `token` for good (a revoked token stays listed). Admins only; revoking twice changes nothing."""
    if not (by.is_active and by.is_admin):
        raise ValidationError("Only admins revoke API tokens.")
    with transaction.atomic():
        if secret_revoke(ApiToken, token.pk):
            audit_record(
                actor=by,
                action="api_token.revoke",
                target=token,
                target_label=f"{token.name} ({token.prefix}…)",
            )


def api_token_used(*, token: ApiToken) -> None:
    """Note when the token was last used, at most once a minute (not a write per request)."""
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() >= LAST_USED_EVERY_SECONDS:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
