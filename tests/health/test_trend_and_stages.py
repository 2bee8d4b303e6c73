"""Known answers for the revenue trend, the lifecycle stage and the onboarding rules (METRICS.md "Health score",
"Lifecycle stage"), worked by hand.

D = 2024-06-30 is the scored day (today 2024-07-01); D − 90 = 2024-04-01. Every account pays $100/month from
D − 400 unless said otherwise. revenue_trend = max(0, 100 − 200 × (P − MRR(D)) / P), P = the highest MRR of
D − 90 … D; revenue = MRR(D) against MRR(D − 90).
"""

from __future__ import annotations

import pytest

from accounts.models import Account
from health.models import HealthModel
from health.selectors import health_model_active
from health.services import health_model_recommended_activate
from metrics.models import AccountCurrent
from tests.scenarios import D, Facts, ago, events, score_day


def paying(facts: Facts, name: str, *, since: int = 400, amount: str = "100.00") -> Account:
    account = facts.account(name)
    facts.span(account, amount, "month", ago(since))
    return account


@pytest.mark.parametrize("dense", [False, True], ids=["the nightly day", "a run of days"])
def test_revenue_trend_against_the_highest_mrr_of_90_days(facts: Facts, dense: bool) -> None:
    """Each account also has one more span, [starts, ends) (ends_on is the first day without it):

    - EXPAND_CONTRACT: +$50 from D−60 to D−20: MRR 100 on D−90 and on D → revenue 100; P = 150 (D−60…D−21)
      → trend 100 − 200 × 50 / 150 = 33.3333. Revenue cannot see it; the trend does.
    - CONTRACT: its $100 ends on D−30, $80 from D−30: MRR(D−90) = 100, MRR(D) = 80 → revenue
      100 − 200 × (1 − 0.8) = 60; P = 100 (D−90) → trend 100 − 200 × 20 / 100 = 60.
    - FLAT: nothing else → revenue 100, trend 100 (P = MRR(D) = 100).
    - ENDS_INSIDE: +$50 from D−120 to D−89 (its last day D−90, inside the window) → MRR(D−90) = 150:
      revenue 100 − 200 × (1 − 100/150) = 33.3333, P = 150 → trend 33.3333.
    - ENDS_BEFORE: +$50 from D−120 to D−90 (its last day D−91, outside) → revenue 100, P = 100 → trend 100.
    - NEW pays since D−10: MRR(D−90) = 0 → revenue null; P = 100 → trend 100.
    """
    expand = paying(facts, "EXPAND_CONTRACT")
    facts.span(expand, "50.00", "month", ago(60), ago(20))
    contract = facts.account("CONTRACT")
    facts.span(contract, "100.00", "month", ago(400), ago(30))
    facts.span(contract, "80.00", "month", ago(30))
    flat = paying(facts, "FLAT")
    inside = paying(facts, "ENDS_INSIDE")
    facts.span(inside, "50.00", "month", ago(120), ago(89))
    before = paying(facts, "ENDS_BEFORE")
    facts.span(before, "50.00", "month", ago(120), ago(90))
    new = paying(facts, "NEW", since=10)
    score_day(facts, start=ago(10) if dense else None)

    def components(account: Account) -> tuple[float | None, float | None]:
        row = facts.day(account, ago(0))
        return row.revenue, row.revenue_trend

    assert components(expand)[0] == 100
    assert components(expand)[1] == pytest.approx(100 - 200 * 50 / 150)
    assert round(components(expand)[1] or 0, 4) == 33.3333
    assert components(contract) == (pytest.approx(60), pytest.approx(60))
    assert components(flat) == (100, 100)
    assert components(inside) == (pytest.approx(100 / 3), pytest.approx(100 / 3))
    assert components(before) == (100, 100)
    assert components(new) == (None, 100)


def test_the_revenue_trend_weighs_nothing_in_the_versions_before_it(facts: Facts) -> None:
    """v1 (METRICS.md's default model) gives the trend weight 0: EXPAND_CONTRACT, never used, scores
    (30 × 0 + 15 × 100 + 10 × 100 + 10 × 0) / 65 = 38.4615 (trend 33.3333 stored, not counted)."""
    expand = paying(facts, "EXPAND_CONTRACT")
    facts.span(expand, "50.00", "month", ago(60), ago(20))
    score_day(facts)
    row = facts.day(expand, ago(0))
    assert row.score == pytest.approx(2500 / 65)
    model = row.health_model
    assert model is not None and model.version == 1 and model.weights["revenue_trend"] == 0


def test_lifecycle_stages_on_their_boundary_days(facts: Facts) -> None:
    """tenure t = D − the first day with MRR > 0 (KEEL_ONBOARDING_DAYS 90, KEEL_MATURE_DAYS 365):

    - T89 pays since D−89: t = 89 < 90 → onboarding; T90: t = 90 → adopting;
    - T364: t = 364 < 365 → adopting; T365: t = 365 → mature;
    - RETURNED paid D−500…D−401, again from D−30: tenure counts from D−500 → t = 500: mature;
    - CHURNED paid D−200…D−11 and used the product on D (a row for its usage): MRR 0 → churned;
    - GONE paid D−200…D−11 and was never used: no row that day, but its current row says churned;
    - NEVER was used and never paid → null; a free span ($0) is not paying.
    """
    t89, t90, t364, t365 = (paying(facts, f"T{days}", since=days) for days in (89, 90, 364, 365))
    returned = facts.account("RETURNED")
    facts.span(returned, "100.00", "month", ago(500), ago(401))
    facts.span(returned, "100.00", "month", ago(30))
    churned, gone = facts.account("CHURNED"), facts.account("GONE")
    for account in (churned, gone):
        facts.span(account, "100.00", "month", ago(200), ago(11))
    events(facts, churned, 0)
    never = facts.account("NEVER")
    facts.span(never, "0.00", "month", ago(50))
    events(facts, never, 0)
    score_day(facts)
    stages = {account.name: facts.day(account, ago(0)).stage for account in (t89, t90, t364, t365, returned)}
    assert stages == {
        "T89": "onboarding",
        "T90": "adopting",
        "T364": "adopting",
        "T365": "mature",
        "RETURNED": "mature",
    }
    assert facts.day(churned, ago(0)).stage == "churned"
    assert facts.day(never, ago(0)).stage is None
    current = {row.account.name: row.stage for row in AccountCurrent.objects.select_related("account")}
    assert current["GONE"] == current["CHURNED"] == "churned"
    assert current["NEVER"] is None and current["T89"] == "onboarding" and current["T365"] == "mature"


def test_a_four_day_old_account_is_not_at_risk_under_the_recommended_model(facts: Facts) -> None:
    """EMPTY and USED pay since D−4 (t = 4), no seats, no NPS; USED has one event on D−1.

    v1 (no onboarding rules): EMPTY activity 0, support 100, recency 0, revenue null (no MRR 90 days before)
    → 1500 / 55 = 27.2727: red, at risk. USED: activity 100 × 1/20 = 5, recency 100 → (150 + 1500 + 1000) / 55
    = 48.1818: yellow.
    Recommended (rules on, revenue trend weight 10): activity's target is 20 × min(30, 4 + 1) / 30 = 3.3333
    days; revenue and revenue trend null. EMPTY: activity 0, recency null (no event yet), support 100
    → 1500 / 45 = 33.3333: still red (status is computed) but never at risk. USED: activity
    100 × min(1, 1 / 3.3333) = 30, recency 100 → (900 + 1500 + 1000) / 55 = 61.8182: yellow.
    OLD pays since D−400 and is never used: the rules do not apply (mature): activity 0, recency 0, support 100,
    revenue 100, trend 100 → (1500 + 1000 + 1000) / 75 = 46.6667, yellow.
    """
    empty, used, old = paying(facts, "EMPTY", since=4), paying(facts, "USED", since=4), paying(facts, "OLD")
    events(facts, used, 1)
    score_day(facts)
    row = facts.day(empty, ago(0))
    assert (row.score, row.status, row.at_risk, row.stage) == (
        pytest.approx(1500 / 55),
        "red",
        True,
        "onboarding",
    )
    assert facts.day(used, ago(0)).score == pytest.approx(2650 / 55)

    recommended = health_model_recommended_activate()
    assert health_model_active() == recommended and recommended.version == 2
    assert HealthModel.objects.get(version=1).is_active is False
    score_day(facts)
    row = facts.day(empty, ago(0))
    assert (row.activity, row.recency, row.support, row.revenue, row.revenue_trend) == (
        0,
        None,
        100,
        None,
        None,
    )
    assert (row.score, row.status, row.at_risk) == (pytest.approx(1500 / 45), "red", False)
    row = facts.day(used, ago(0))
    assert row.activity == pytest.approx(30)
    assert (row.score, row.status) == (pytest.approx(3400 / 55), "yellow")
    assert round(row.score or 0, 4) == 61.8182
    row = facts.day(old, ago(0))
    assert (row.activity, row.recency, row.revenue, row.revenue_trend) == (0, 0, 100, 100)
    assert row.score == pytest.approx(3500 / 75)
    assert D.isoformat() == ago(0)


def test_the_recommended_version_is_saved_inactive_and_activating_it_twice_changes_nothing(db: None) -> None:
    """health 0008: every version gets revenue_trend weight 0 and onboarding_rules 0; v2 holds the recommended
    model, inactive, until activated (twice: the same)."""
    v1, v2 = HealthModel.objects.get(version=1), HealthModel.objects.get(version=2)
    assert v1.is_active and not v2.is_active
    assert v1.weights["revenue_trend"] == 0 and v1.parameters["onboarding_rules"] == 0
    assert v2.weights == {**v1.weights, "revenue_trend": 10}
    assert v2.parameters == {**v1.parameters, "onboarding_rules": 1}
    assert health_model_recommended_activate() == health_model_recommended_activate() == v2
    assert list(HealthModel.objects.filter(is_active=True)) == [v2]
