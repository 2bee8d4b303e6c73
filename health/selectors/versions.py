"""Reads of the health model's versions: the active one, and every one for the Health page."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from health.models import RECOMMENDED_NOTE, HealthModel


def health_model_active() -> HealthModel:
    """The model scores are computed with. Its first version comes from a migration (health 0002: METRICS.md's
    default); saving a draft makes a new active one (health.services.versions)."""
    model = HealthModel.objects.filter(is_active=True).first()
    if model is None:
        raise ImproperlyConfigured(
            "No active health model: the database lacks health/migrations/0002's default. "
            "Run `python manage.py migrate`."
        )
    return model


def health_model_versions() -> list[HealthModel]:
    """Every version, newest first, with who saved it (one query)."""
    return list(HealthModel.objects.select_related("created_by").order_by("-version"))


def health_model_recommended() -> HealthModel | None:
    """Keel's recommended version (health 0008: revenue trend weighed, onboarding rules on), active or not."""
    return HealthModel.objects.filter(note=RECOMMENDED_NOTE).order_by("-version").first()
