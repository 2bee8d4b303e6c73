"""health.selectors.health_explanation: each component's part of the score and what moved it, worked by hand."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils.formats import date_format

from accounts.models import Account, User
from health.models import DEFAULT_WEIGHTS
from health.services import health_model_save
from metrics.selectors.explanations import health_explanation
from tests.scenarios import D, Facts, ago, events, model_draft, moment, score_day, slipping_account


@pytest.fixture
def slipping(facts: Facts) -> Account:
    """tests/scenarios.slipping_account: 100 on D−30, 72.3077 on D−7, 65.3846 on D (yellow, at risk)."""
    return slipping_account(facts)


def test_each_component_has_its_weight_share_and_points(slipping: Account) -> None:
    """points = weight / Σ weights of the components that are not null × score; they add up to the score:
    activity 30/65 × 40 = 18.4615, support 15/65 × 70 = 16.1538, revenue and recency 10/65 × 100 = 15.3846 each
    → 65.3846. Adoption and sentiment are null: no share, and a reason."""
    explanation = health_explanation(account=slipping)
    assert explanation is not None
    assert (explanation.day, explanation.status, explanation.at_risk) == (D, "yellow", True)
    assert explanation.model.version == 1
    parts = {part.name: part for part in explanation.parts}
    assert parts["activity"].share == pytest.approx(30 / 65)
    assert parts["activity"].points == pytest.approx(18.4615, abs=1e-4)
    assert parts["support"].points == pytest.approx(15 / 65 * 70)
    assert parts["revenue"].points == parts["recency"].points == pytest.approx(1000 / 65)
    assert sum(part.points or 0 for part in explanation.parts) == pytest.approx(explanation.score)
    assert explanation.score == pytest.approx(4250 / 65)
    assert (parts["adoption"].share, parts["adoption"].points, parts["adoption"].weight) == (None, None, 15)
    assert parts["adoption"].detail == "No seat count on the account."
    assert parts["sentiment"].detail == "No NPS answer in the last 180 days."
    assert parts["activity"].detail == "Active on 8 of the last 30 days; 20 or more score 100."
    assert parts["support"].detail == (
        "2 high or urgent tickets in the last 30 days: 15 points off each high or urgent one, 5 each other one."
    )
    assert parts["revenue"].detail == "MRR unchanged from 90 days before."
    assert parts["recency"].detail == "Used the product that day; 100 up to 7 days, 0 from 60."


def test_what_moved_the_score_since_7_and_30_days(slipping: Account) -> None:
    """Since D−7: only support moved, 15/65 × (70 − 100) = −6.9231 points → 72.3 to 65.4.
    Since D−30: activity 30/65 × (40 − 100) = −27.6923, support −6.9231 → −34.6154 (100.0 to 65.4)."""
    explanation = health_explanation(account=slipping)
    assert explanation is not None
    week, month = explanation.comparisons
    assert (week.days, week.day.isoformat(), month.days, month.day.isoformat()) == (7, ago(7), 30, ago(30))
    assert week.change == pytest.approx(-450 / 65)
    assert week.headline == "Fell 6.9 points since 7 days before (from 72.3 to 65.4)."
    assert [(move.name, round(move.points, 4)) for move in week.moves] == [("support", -6.9231)]
    assert week.moves[0].text == (
        "Support fell from 100 to 70: 2 high or urgent tickets in the last 30 days (was no tickets)"
    )
    assert month.headline == "Fell 34.6 points since 30 days before (from 100.0 to 65.4)."
    assert [(move.name, round(move.points, 4)) for move in month.moves] == [
        ("activity", -27.6923),
        ("support", -6.9231),
    ]
    assert month.moves[0].text == "Activity fell from 100 to 40: active on 8 of the last 30 days (was 25)"
    assert explanation.risk == (
        "The score fell 34.6 points in 30 days (from 100.0 to 65.4); a fall of 15 or more is at risk."
    )


def test_a_component_that_appears_shifts_the_others_shares(facts: Facts) -> None:
    """Active every day, paying for long; an NPS 10 on D−2 from a contact. D−7: activity, support, revenue,
    recency all 100 → 100. D: sentiment 100 joins (weight 20): still 100, but each other component now weighs
    x/85 instead of x/65: activity 30/85 × 100 − 30/65 × 100 = −10.8597; sentiment +23.5294."""
    account = facts.account("HAPPY")
    facts.span(account, "100.00", "month", ago(400))
    events(facts, account, *range(40))
    facts.response(account, "nps", 10, moment(2), contact=facts.contact(account))
    score_day(facts, start=ago(7))
    explanation = health_explanation(account=account)
    assert explanation is not None
    week = explanation.comparisons[0]
    assert week.headline == "Unchanged since 7 days before (100.0)."
    moves = {move.name: move for move in week.moves}
    assert moves["sentiment"].points == pytest.approx(2000 / 85)
    assert (
        moves["sentiment"].text == "Sentiment now counts: latest NPS of 1 contact averages 10.0 (scores 100)"
    )
    assert moves["activity"].points == pytest.approx(3000 / 85 - 3000 / 65)
    assert moves["activity"].text == "Activity weighs less now that other components changed"
    assert (
        explanation.comparisons[1].headline
        == f"Not scored 30 days before ({date_format(date.fromisoformat(ago(30)))})."
    )


def test_an_account_never_scored_has_no_explanation(facts: Facts) -> None:
    used = facts.account("FREE")
    events(facts, used, 1)
    score_day(facts)
    assert health_explanation(account=used) is None
    assert health_explanation(account=facts.account("EMPTY")) is None


def test_any_day_can_be_explained(slipping: Account) -> None:
    """On D−7: activity 40 (D−7 and D−36…D−30), support 100 → 4700 / 65 = 72.3077, green but at risk: 30 days
    before (D−37, computed by the pipeline but not stored) it was (2700 + 1500 + 2000) / 65 = 95.4 (18 active
    days). Its 7 days before, D−14: activity 70 (D−43…D−30), recency 100 × (60 − 16) / 53 = 83.0189
    → (2100 + 1500 + 1000 + 830.1887) / 65 = 83.5414."""
    explanation = health_explanation(account=slipping, day=D - timedelta(days=7))
    assert explanation is not None
    assert explanation.score == pytest.approx(4700 / 65)
    assert (explanation.status, explanation.at_risk) == ("green", True)
    assert explanation.risk == "The score fell at least 15 points in 30 days."  # D−37 is not kept
    week = explanation.comparisons[0]
    assert week.day.isoformat() == ago(14)
    assert week.score == pytest.approx((2100 + 1500 + 1000 + 100 * 44 / 53 * 10) / 65)
    assert week.headline == "Fell 11.2 points since 7 days before (from 83.5 to 72.3)."


def test_the_drop_rule_of_the_model_the_day_was_scored_with(
    slipping: Account, facts: Facts, admin_user: User
) -> None:
    """A model comparing 14 days back (drop_days 14), D−14…D recomputed with it: D (65.3846) against D−14
    (83.5414) fell 83.5 − 65.4 = 18.1 points."""
    health_model_save(
        draft=model_draft(DEFAULT_WEIGHTS, drop_days=14),
        by=admin_user,
        note="two weeks",
    )
    score_day(facts, start=ago(14))
    explanation = health_explanation(account=slipping)
    assert explanation is not None
    assert (explanation.model.version, explanation.model.drop_days, explanation.at_risk) == (3, 14, True)
    assert explanation.risk == (
        "The score fell 18.1 points in 14 days (from 83.5 to 65.4); a fall of 15 or more is at risk."
    )
