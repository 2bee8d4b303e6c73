"""Versions of the health model: an admin's draft is checked, then saved as the next version and made active.

Scores keep the version they were computed with (metrics.AccountDay.health_model); the next pipeline run uses
the new active version, and a recompute of past days rewrites them with it.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from accounts.models import User
from accounts.services.audit import audit_record
from health.models import (
    ALWAYS_PRESENT,
    COMPONENT_LABELS,
    COMPONENTS,
    DEFAULT_PARAMETERS,
    PARAMETERS,
    HealthModel,
)
from health.selectors.versions import health_model_recommended

log = logging.getLogger(__name__)

MAX_WEIGHT = 1000
MAX_DROP_DAYS = 90


def _plain(value: float) -> float | int:
    """30.0 → 30 (stored and shown without a useless decimal), 12.5 stays."""
    return int(value) if float(value).is_integer() else float(value)


def health_model_draft(
    *,
    weights: Mapping[str, float],
    parameters: Mapping[str, float],
    green_min: float,
    yellow_min: float,
    drop_points: float,
    drop_days: int,
) -> HealthModel:
    """An unsaved HealthModel holding these values, for `health_model_validate`, the preview and the backtest."""
    return HealthModel(
        weights={name: _plain(weights.get(name, 0)) for name in COMPONENTS},
        parameters={
            name: _plain(parameters.get(name, default)) for name, default in DEFAULT_PARAMETERS.items()
        },
        green_min=float(green_min),
        yellow_min=float(yellow_min),
        drop_points=float(drop_points),
        drop_days=int(drop_days),
    )


def health_model_validate(draft: HealthModel) -> None:
    """Raise ValidationError with a message per field when the draft cannot score accounts sensibly.

    Fields: `weight_<component>`, `weights` (all of them together), `green_min`, `yellow_min`, `drop_points`,
    `drop_days` and each parameter by its name (health.models.PARAMETERS), the names of the Health page's form.
    """
    errors: dict[str, list[str]] = {}

    def number(value: Any) -> float | None:
        try:
            result = float(value)
        except (TypeError, ValueError):
            return None
        return result if math.isfinite(result) else None

    weights = {}
    for name in COMPONENTS:
        weight = number(draft.weights.get(name, 0))
        if weight is None or not 0 <= weight <= MAX_WEIGHT:
            errors[f"weight_{name}"] = [f"A weight is a number from 0 to {MAX_WEIGHT}."]
        else:
            weights[name] = weight
    if len(weights) == len(COMPONENTS):
        if not any(weights.values()):
            errors["weights"] = ["At least one weight must be above 0."]
        elif not any(weights[name] for name in ALWAYS_PRESENT):
            always = ", ".join(COMPONENT_LABELS[name] for name in ALWAYS_PRESENT)
            errors["weights"] = [
                f"Give weight to at least one of {always}: they are never missing, so every paying account "
                "gets a score (the others are missing without seats, NPS answers or MRR 90 days before)."
            ]

    green, yellow = number(draft.green_min), number(draft.yellow_min)
    if yellow is None or not 0 <= yellow <= 100:
        errors["yellow_min"] = ["Yellow starts at a score from 0 to 100."]
    if green is None or not 0 <= green <= 100:
        errors["green_min"] = ["Green starts at a score from 0 to 100."]
    elif yellow is not None and "yellow_min" not in errors and green <= yellow:
        errors["green_min"] = [f"Green must start above yellow ({yellow:g})."]

    drop_points = number(draft.drop_points)
    if drop_points is None or not 0 < drop_points <= 100:
        errors["drop_points"] = ["A drop is a number of points above 0 and at most 100."]
    drop_days = number(draft.drop_days)
    if drop_days is None or not drop_days.is_integer() or not 1 <= drop_days <= MAX_DROP_DAYS:
        errors["drop_days"] = [f"A whole number of days from 1 to {MAX_DROP_DAYS}."]

    values: dict[str, float] = {}
    for name, rule in PARAMETERS.items():
        value = number(draft.parameters.get(name))
        if rule.whole:
            if value is None or not value.is_integer() or not rule.minimum <= value <= rule.maximum:
                what = f"whole number of {rule.unit}" if rule.unit else "whole number"
                errors[name] = [f"A {what} from {rule.minimum:g} to {rule.maximum:g}."]
                continue
        elif value is None or not rule.minimum < value <= rule.maximum:
            errors[name] = [f"A number above {rule.minimum:g} and at most {rule.maximum:g}."]
            continue
        values[name] = value
    zero_after, ramp = values.get("recency_zero_after_days"), values.get("recency_ramp_days")
    if zero_after is not None and ramp is not None and ramp > zero_after:
        errors["recency_ramp_days"] = [
            f"Recency cannot fall over more days than it takes to reach 0 ({zero_after:g})."
        ]

    if errors:
        raise ValidationError(errors)


def health_model_changes(previous: HealthModel | None, draft: HealthModel) -> list[str]:
    """What `draft` changes from `previous`, one line per value, in words an admin reads in the history."""
    if previous is None:
        return ["First version."]
    lines = []
    for name in COMPONENTS:
        before, after = previous.weights.get(name, 0), draft.weights.get(name, 0)
        if float(before) != float(after):
            lines.append(f"{COMPONENT_LABELS[name]} weight: {before:g} → {after:g}")
    thresholds = [
        ("green_min", "Green from score", ""),
        ("yellow_min", "Yellow from score", ""),
        ("drop_points", "At risk after a drop of", " points"),
        ("drop_days", "Drop measured over", " days"),
    ]
    for field, label, unit in thresholds:
        before, after = getattr(previous, field), getattr(draft, field)
        if float(before) != float(after):
            lines.append(f"{label}: {before:g}{unit} → {after:g}{unit}")
    for name, rule in PARAMETERS.items():
        before = previous.parameters.get(name, DEFAULT_PARAMETERS[name])
        after = draft.parameters.get(name, DEFAULT_PARAMETERS[name])
        if float(before) != float(after):
            lines.append(f"{rule.label}: {before:g} → {after:g} {rule.unit}".rstrip())
    return lines


def health_model_parameters_changed(previous: HealthModel, draft: HealthModel) -> bool:
    """True when a component's own parameter differs: stored components no longer match the draft, so only a
    recompute gives exact numbers (weights, thresholds and the drop rule re-weight stored components)."""
    return any(
        float(previous.parameters.get(name, default)) != float(draft.parameters.get(name, default))
        for name, default in DEFAULT_PARAMETERS.items()
    )


def health_model_save(*, draft: HealthModel, by: User, note: str) -> HealthModel:
    """Save `draft` as version max + 1 and make it the active one, in one transaction.

    `changes` lists what differs from the version active until now. Raises ValidationError for a draft that
    fails `health_model_validate`, for a user who is not an admin, and for a draft identical to the active model.
    """
    if not (by.is_active and by.is_admin):
        raise ValidationError("Only admins can change the health model.")
    health_model_validate(draft)
    with transaction.atomic():
        # Locks the active row: two admins saving at once get versions n and n + 1, each against its predecessor.
        previous = HealthModel.objects.select_for_update().filter(is_active=True).first()
        changes = health_model_changes(previous, draft)
        if previous is not None and not changes:
            raise ValidationError(f"Nothing changed from the active model v{previous.version}.")
        version = (HealthModel.objects.aggregate(last=Max("version"))["last"] or 0) + 1
        if previous is not None:
            previous.is_active = False
            previous.save(update_fields=["is_active"])
        model = HealthModel.objects.create(
            version=version,
            is_active=True,
            created_by=by,
            note=note.strip(),
            changes=changes,
            weights=dict(draft.weights),
            parameters=dict(draft.parameters),
            green_min=draft.green_min,
            yellow_min=draft.yellow_min,
            drop_points=draft.drop_points,
            drop_days=draft.drop_days,
        )
        audit_record(
            actor=by,
            action="health_model.save",
            target=model,
            target_label=f"Health model v{version}",
            detail={
                "changes": changes,
                "note": model.note,
                "replaces": previous.version if previous else None,
            },
        )
    log.info("%s saved health model v%s: %s", by.email, version, "; ".join(changes))
    return model


def health_model_activate(*, model: HealthModel, by: User | None) -> HealthModel:
    """Make the saved version `model` the active one, in one transaction; already active, nothing changes.

    `by` must be an admin; None for Keel itself (the demo seed). Scores keep the version they were computed
    with: the next pipeline run uses this one, a recompute rewrites history with it.
    """
    if by is not None and not (by.is_active and by.is_admin):
        raise ValidationError("Only admins can change the health model.")
    with transaction.atomic():
        # Locks the active row, as health_model_save does: one active version whoever saves or activates at once.
        previous = HealthModel.objects.select_for_update().filter(is_active=True).first()
        if previous is not None and previous.pk == model.pk:
            return previous
        if previous is not None:
            previous.is_active = False
            previous.save(update_fields=["is_active"])
        HealthModel.objects.filter(pk=model.pk).update(is_active=True)
        audit_record(
            actor=by,
            action="health_model.activate",
            target=model,
            target_label=f"Health model v{model.version}",
            detail={"active": [previous.version if previous else None, model.version]},
        )
    model.refresh_from_db()
    log.info("%s activated health model v%s", by.email if by else "Keel", model.version)
    return model


def health_model_recommended_activate(*, by: User | None = None) -> HealthModel:
    """Activate Keel's recommended version (health 0008 saved it, inactive): the demo seed calls this."""
    model = health_model_recommended()
    if model is None:
        raise ValidationError("There is no recommended health model: run `python manage.py migrate`.")
    return health_model_activate(model=model, by=by)
