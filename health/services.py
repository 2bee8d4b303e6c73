"""Writes of the health app: daily scores from the account-day snapshots (METRICS.md "Health score")."""

from __future__ import annotations

from django.conf import settings

from health.models import DEFAULT_PARAMETERS, DEFAULT_WEIGHTS, HealthModel
from health.sql import files


def health_model_active() -> HealthModel:
    """The model scores are computed with: the active version, or METRICS.md's default as version 1 when there
    is none yet (a migration creates it; an emptied database gets it back here)."""
    model = HealthModel.objects.filter(is_active=True).first()
    if model is None:
        model, _ = HealthModel.objects.get_or_create(
            version=1,
            defaults={
                "is_active": True,
                "note": "The default model of METRICS.md.",
                "weights": DEFAULT_WEIGHTS,
                "parameters": DEFAULT_PARAMETERS,
            },
        )
    return model


def health_scores_compute_from_account_days() -> None:
    """Score every paying account on the days of the temp tables `_hdays`/`_days` from `_account_day`.

    Runs inside metrics.services.daily's transaction, which has just filled those tables; stores the days of
    `_days` and uses the others (d − drop_days) for the at-risk rule only.
    """
    model = health_model_active()
    files.run("health_scores", tz=settings.KEEL_TIMEZONE, **model.sql_params())
