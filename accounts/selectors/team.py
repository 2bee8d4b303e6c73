"""Reads of the Team and Data pages."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import ImportRun, User


def team_members() -> QuerySet[User]:
    """Everyone on the team for the Team page: active people first, then by name."""
    return User.objects.order_by("-is_active", "name", "email")


def import_runs_recent(*, limit: int = 20) -> QuerySet[ImportRun]:
    return ImportRun.objects.select_related("user").order_by("-started_at")[:limit]
