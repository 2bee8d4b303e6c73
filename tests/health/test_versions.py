"""health.services.versions: a draft is checked field by field, saved as the next version, made active; scores
keep the version they were computed with."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from accounts.models import User
from health.models import DEFAULT_PARAMETERS, DEFAULT_WEIGHTS, HealthModel
from health.selectors import health_model_active
from health.services import (
    health_model_parameters_changed,
    health_model_save,
    health_model_validate,
)
from tests.scenarios import Facts, ago, events, score_day


def draft(**changes: Any) -> HealthModel:
    """An unsaved model: the default with `changes` (weight_<component>=…, a parameter or a threshold by name),
    values kept as given so that validation sees what a caller sent."""
    weights: dict[str, Any] = {**DEFAULT_WEIGHTS}
    parameters: dict[str, Any] = {**DEFAULT_PARAMETERS}
    thresholds: dict[str, Any] = {"green_min": 70, "yellow_min": 40, "drop_points": 15, "drop_days": 30}
    for name, value in changes.items():
        if name.startswith("weight_"):
            weights[name.removeprefix("weight_")] = value
        elif name in parameters:
            parameters[name] = value
        else:
            thresholds[name] = value
    return HealthModel(weights=weights, parameters=parameters, **thresholds)


def test_saving_makes_the_next_version_active_and_says_what_changed(admin_user: User) -> None:
    """A fresh install has v1 (active) and v2, Keel's recommended model (inactive, health 0008): saving makes
    v3, and says what changed against the active version."""
    v1 = health_model_active()
    assert (v1.version, v1.is_active) == (1, True)
    v2 = health_model_save(
        draft=draft(weight_activity=40, weight_revenue=12.5, green_min=75, sentiment_window_days=90),
        by=admin_user,
        note="  More weight on usage.  ",
    )
    v1.refresh_from_db()
    assert (v2.version, v2.is_active, v1.is_active) == (3, True, False)
    assert health_model_active() == v2
    assert v2.changes == [
        "Activity weight: 30 → 40",
        "Revenue weight: 10 → 12.5",
        "Green from score: 70 → 75",
        "Sentiment: NPS answers count for: 180 → 90 days",
    ]
    assert (v2.created_by, v2.note) == (admin_user, "More weight on usage.")
    assert v2.created_at is not None
    assert v2.weights["activity"] == 40 and v2.parameters["sentiment_window_days"] == 90
    v3 = health_model_save(draft=draft(weight_activity=40, weight_revenue=12.5), by=admin_user, note="")
    assert v3.version == 4
    assert v3.changes == ["Green from score: 75 → 70", "Sentiment: NPS answers count for: 90 → 180 days"]
    assert HealthModel.objects.filter(is_active=True).get() == v3


def test_a_draft_like_the_active_model_is_not_saved(admin_user: User) -> None:
    with pytest.raises(ValidationError, match="Nothing changed from the active model v1"):
        health_model_save(draft=draft(), by=admin_user, note="again")
    assert HealthModel.objects.count() == 2  # v1 and the recommended v2


@pytest.mark.parametrize("role", ["csm", "vp"])
def test_only_admins_save(make_user: Any, role: str) -> None:
    with pytest.raises(ValidationError, match="Only admins"):
        health_model_save(draft=draft(weight_activity=1), by=make_user(f"{role}@keel.test", role), note="")
    assert HealthModel.objects.count() == 2


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"weight_activity": -1}, "weight_activity"),
        ({"weight_support": float("nan")}, "weight_support"),
        ({"weight_recency": 1001}, "weight_recency"),
        ({f"weight_{name}": 0 for name in DEFAULT_WEIGHTS}, "weights"),
        ({"weight_activity": 0, "weight_support": 0, "weight_recency": 0}, "weights"),
        ({"yellow_min": 70}, "green_min"),
        ({"yellow_min": 80}, "green_min"),
        ({"green_min": 101}, "green_min"),
        ({"yellow_min": -1}, "yellow_min"),
        ({"drop_points": 0}, "drop_points"),
        ({"drop_points": 101}, "drop_points"),
        ({"drop_days": 0}, "drop_days"),
        ({"drop_days": 91}, "drop_days"),
        ({"drop_days": 7.5}, "drop_days"),
        ({"activity_target_days": 0}, "activity_target_days"),
        ({"activity_target_days": 31}, "activity_target_days"),
        ({"activity_target_days": 12.5}, "activity_target_days"),
        ({"sentiment_window_days": 731}, "sentiment_window_days"),
        ({"support_high_penalty": 0}, "support_high_penalty"),
        ({"support_other_penalty": -5}, "support_other_penalty"),
        ({"revenue_lookback_days": 0}, "revenue_lookback_days"),
        ({"revenue_drop_penalty": 0}, "revenue_drop_penalty"),
        ({"recency_zero_after_days": 400}, "recency_zero_after_days"),
        ({"recency_ramp_days": 61}, "recency_ramp_days"),
        ({"support_window_days": "thirty"}, "support_window_days"),
    ],
)
def test_invalid_drafts_are_rejected_with_the_field(
    admin_user: User, changes: dict[str, Any], field: str
) -> None:
    model = draft(**changes)
    with pytest.raises(ValidationError) as raised:
        health_model_validate(model)
    assert list(raised.value.message_dict) == [field]
    assert raised.value.message_dict[field][0]
    with pytest.raises(ValidationError):
        health_model_save(draft=model, by=admin_user, note="")
    assert HealthModel.objects.count() == 2  # v1 and the recommended v2 (health 0008)


def test_errors_of_several_fields_come_together() -> None:
    with pytest.raises(ValidationError) as raised:
        health_model_validate(draft(weight_activity=-1, drop_days=0, recency_ramp_days=0))
    assert set(raised.value.message_dict) == {"weight_activity", "drop_days", "recency_ramp_days"}


def test_a_model_with_only_one_always_present_component_is_valid() -> None:
    """Recency alone can score every paying account: allowed; all-zero but adoption is not (see above)."""
    health_model_validate(draft(**{f"weight_{name}": 0 for name in DEFAULT_WEIGHTS if name != "recency"}))


def test_parameters_changed_tells_components_from_weights(db: None) -> None:
    active = health_model_active()
    assert not health_model_parameters_changed(active, draft(weight_activity=1, green_min=80, drop_days=14))
    assert health_model_parameters_changed(active, draft(recency_ramp_days=30))


def test_scores_keep_the_version_they_were_computed_with(facts: Facts, admin_user: User) -> None:
    """An account active on 10 of the last 30 days, no seats, no NPS, paying for long (revenue 100):
    v1 (default): (30 × 50 + 15 × 100 + 10 × 100 + 10 × 100) / 65 = 76.9231, stored with v1.
    v2 weighs activity 100 → (100 × 50 + 1500 + 1000 + 1000) / 135 = 62.9630 on days computed after the change;
    D−1 keeps v1 and its score until it is recomputed, then it has v2's.
    """
    account = facts.account("KEPT")
    facts.span(account, "100.00", "month", ago(400))
    events(facts, account, *range(1, 11))
    score_day(facts, start=ago(1))
    before = facts.day(account, ago(1))
    v1 = before.health_model
    assert v1 is not None and v1.version == 1
    assert before.score == pytest.approx(5000 / 65)

    v2 = health_model_save(draft=draft(weight_activity=100), by=admin_user, note="activity matters")
    kept = facts.day(account, ago(1))
    assert (kept.health_model, kept.score) == (v1, before.score)

    facts.compute(ago(0), ago(0), today="2024-07-01")
    after = facts.day(account, ago(0))
    assert after.health_model == v2
    assert after.score == pytest.approx(8500 / 135)
    assert facts.day(account, ago(1)).health_model == v1

    facts.compute(ago(1), ago(1), today="2024-07-01")
    assert facts.day(account, ago(1)).health_model == v2
