"""Reads of the audit log for its page: entries newest first, filtered by action and by actor."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import AuditEntry

# The actor filter's value for changes Keel made itself (the demo seed, beat's recurring survey rounds).
SYSTEM_ACTOR = "keel"


def audit_entries(*, action: str = "", actor: str = "") -> QuerySet[AuditEntry]:
    """Entries newest first; `action` an action code ("" for all), `actor` a user's id, SYSTEM_ACTOR or ""."""
    entries = AuditEntry.objects.select_related("actor").order_by("-at", "-id")
    if action:
        entries = entries.filter(action=action)
    if actor == SYSTEM_ACTOR:
        entries = entries.filter(actor__isnull=True)
    elif actor.isdigit():
        entries = entries.filter(actor_id=int(actor))
    return entries


def audit_actions() -> list[str]:
    """Every action code the log holds, for the filter (a handful: the index gives them cheaply)."""
    return list(AuditEntry.objects.order_by("action").values_list("action", flat=True).distinct())
