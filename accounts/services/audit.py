"""The one writer of the audit log (accounts.models.AuditEntry): every admin change calls `audit_record` inside
the transaction that makes the change, so the change and its entry are kept or rolled back together."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import connection, models

from accounts.models import AuditEntry, User

# Names a detail may not carry at any depth: an entry says that a credential changed, never what it is.
SECRET_NAMES = frozenset(
    {"key", "key_hash", "secret", "password", "token", "webhook_url", "slack_webhook_url"}
)


def _secret_names(detail: Any) -> set[str]:
    if isinstance(detail, Mapping):
        found = {name for name in detail if str(name).lower() in SECRET_NAMES}
        for value in detail.values():
            found |= _secret_names(value)
        return found
    if isinstance(detail, list | tuple):
        return set().union(*(_secret_names(item) for item in detail)) if detail else set()
    return set()


def audit_record(
    *,
    actor: User | None,
    action: str,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str | int = "",
    target_label: str = "",
    detail: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """One entry: `actor` (None for Keel itself) did `action` to `target` (or the type, id and label given, for
    a target that is gone), with `detail` (JSON: what changed, as {"field": [before, after]} or counts).

    Must run inside the change's transaction (a RuntimeError otherwise), and `detail` may not name a secret
    (a ValueError): both are mistakes of the caller, not of the person using Keel."""
    if not connection.in_atomic_block:
        raise RuntimeError(
            f"audit_record({action!r}) outside a transaction: call it inside the change's atomic block."
        )
    detail = dict(detail or {})
    leaked = _secret_names(detail)
    if leaked:
        raise ValueError(f"audit_record({action!r}): the detail names secrets ({', '.join(sorted(leaked))}).")
    if target is not None:
        target_type = target_type or target._meta.model_name or ""
        target_id = target_id or target.pk or ""
        target_label = target_label or str(target)
    return AuditEntry.objects.create(
        actor=actor,
        actor_label=actor.email if actor is not None else "",
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        target_label=target_label[:300],
        detail=detail,
    )


def changed_fields(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """{field: [before, after]} of the fields whose value differs, for an entry's detail."""
    return {name: [before.get(name), value] for name, value in after.items() if before.get(name) != value}
