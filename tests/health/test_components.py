"""Known answers for METRICS.md "Health score" as the pipeline stores them on AccountDay, worked by hand.

Every account pays $100/month unless said otherwise; D = 2024-06-30 is the scored day, computed with
`today` = 2024-07-01 so that its daily row is kept. Default model: weights activity 30, adoption 15, sentiment
20, support 15, revenue 10, recency 10; green ≥ 70, yellow ≥ 40; at risk when red or ≥ 15 points below the
score 30 days before.
"""

from __future__ import annotations

import pytest

from accounts.models import Account, User
from health.services import health_model_save
from tests.scenarios import Facts, ago, events, model_draft, moment, score_day


def paying(facts: Facts, name: str, *, since: int = 400, seats: int | None = None) -> Account:
    """An account paying $100/month since D − since."""
    account = facts.account(name, seats=seats)
    facts.span(account, "100.00", "month", ago(since))
    return account


def test_activity_is_active_days_of_30_over_the_target(facts: Facts) -> None:
    """activity = 100 × min(1, active_days_30 / 20):

    - 10 active days among D−29…D (one of them with two events, one with count 5: activity only counts days) → 50
    - 25 active days → min(1, 1.25) → 100
    - an event on D−30 is outside the 30 days ending D: 0 days → 0
    """
    ten, many, outside = paying(facts, "TEN"), paying(facts, "MANY"), paying(facts, "OUTSIDE")
    events(facts, ten, *range(10))
    facts.event(ten, "u2", moment(3, hour=15))
    facts.event(ten, "u1", moment(4, hour=16), count=5)
    events(facts, many, *range(25))
    events(facts, outside, 30)
    score_day(facts)
    assert facts.day(ten, ago(0)).active_days_30 == 10
    assert facts.day(ten, ago(0)).activity == 50
    assert facts.day(many, ago(0)).activity == 100
    assert facts.day(outside, ago(0)).activity == 0


def test_adoption_is_mau_over_seats(facts: Facts) -> None:
    """adoption = 100 × min(1, mau / seats), null without seats (seats 0 counts as without):

    - 4 seats, users u1, u2, u3 active in the 30 days ending D (u4 only on D−30) → mau 3 → 75
    - 2 seats, 3 users → min(1, 1.5) → 100
    - no seats → null; seats 0 → null
    """
    four = paying(facts, "FOUR", seats=4)
    for user, days in (("u1", 0), ("u2", 5), ("u3", 29), ("u4", 30)):
        facts.event(four, user, moment(days))
    two, none, zero = paying(facts, "TWO", seats=2), paying(facts, "NONE"), paying(facts, "ZERO", seats=0)
    for account in (two, none, zero):
        for user in ("u1", "u2", "u3"):
            facts.event(account, user, moment(1))
    score_day(facts)
    assert (facts.day(four, ago(0)).mau, facts.day(four, ago(0)).adoption) == (3, 75)
    assert facts.day(two, ago(0)).adoption == 100
    assert facts.day(none, ago(0)).adoption is None
    assert facts.day(zero, ago(0)).adoption is None


def test_sentiment_is_ten_times_the_mean_of_each_contacts_latest_nps(facts: Facts) -> None:
    """sentiment = 10 × mean of each contact's latest NPS score in the 180 days ending D (D−179…D):

    PEOPLE: c1 answered 5 on D−100 then 8 on D−10 (the older answer is replaced: 8); c2 answered 6 on D−20;
    c3 answered 10 on D−180, outside the window (dropped); a CSAT 1 on D−1 is not NPS → 10 × (8 + 6) / 2 = 70.
    NOBODY: two NPS answers without a contact, 9 on D−5 and 4 on D−3: each stands for a contact of its own
    → 10 × (9 + 4) / 2 = 65 (not 40, which the latest of one person would give).
    SILENT: only an answer on D−180 → null.
    """
    people = paying(facts, "PEOPLE")
    c1, c2, c3 = facts.contact(people), facts.contact(people), facts.contact(people)
    facts.response(people, "nps", 5, moment(100), contact=c1)
    facts.response(people, "nps", 8, moment(10), contact=c1)
    facts.response(people, "nps", 6, moment(20), contact=c2)
    facts.response(people, "nps", 10, moment(180), contact=c3)
    facts.response(people, "csat", 1, moment(1), contact=c2)
    nobody = paying(facts, "NOBODY")
    facts.response(nobody, "nps", 9, moment(5))
    facts.response(nobody, "nps", 4, moment(3))
    silent = paying(facts, "SILENT")
    facts.response(silent, "nps", 10, moment(180), contact=facts.contact(silent))
    score_day(facts)
    assert facts.day(people, ago(0)).sentiment == pytest.approx(70)
    assert facts.day(nobody, ago(0)).sentiment == pytest.approx(65)
    assert facts.day(silent, ago(0)).sentiment is None


def test_support_takes_points_per_ticket_of_the_last_30_days(facts: Facts) -> None:
    """support = max(0, 100 − 15 × H − 5 × N) over tickets created D−29…D:

    TICKETS: 1 urgent (D−3), 2 normal (D−10, and D−29 at the window's edge); a high one on D−30 is outside
    → 100 − 15 − 10 = 75.
    FLOOD: 4 high and 10 low → 100 − 60 − 50 < 0 → 0.
    """
    tickets = paying(facts, "TICKETS")
    facts.ticket(tickets, moment(3), priority="urgent")
    facts.ticket(tickets, moment(10), priority="normal")
    facts.ticket(tickets, moment(29, hour=0), priority="normal")
    facts.ticket(tickets, moment(30, hour=23), priority="high")
    flood = paying(facts, "FLOOD")
    for _ in range(4):
        facts.ticket(flood, moment(1), priority="high")
    for _ in range(10):
        facts.ticket(flood, moment(2), priority="low")
    score_day(facts)
    assert facts.day(tickets, ago(0)).support == 75
    assert facts.day(flood, ago(0)).support == 0


def test_revenue_compares_mrr_with_90_days_before(facts: Facts) -> None:
    """r = MRR(D) / MRR(D − 90); 100 if r ≥ 1, else max(0, 100 − 200 × (1 − r)); null when MRR(D − 90) = 0:

    DOWN: $1,000/month until D−9, then $750 (same subscription) → r = 0.75 → 100 − 200 × 0.25 = 50.
    UP: $100 then $150 → r = 1.5 → 100.
    HALVED: $1,000 then $400 → r = 0.4 → max(0, −20) → 0.
    NEW: paying only since D−60 → MRR 90 days before is 0 → null.
    """
    for name, before, after in (
        ("DOWN", "1000.00", "750.00"),
        ("UP", "100.00", "150.00"),
        ("HALVED", "1000.00", "400.00"),
    ):
        account = facts.account(name)
        facts.span(account, before, "month", ago(400), ago(9), subscription=f"sub_{name}")
        facts.span(account, after, "month", ago(9), subscription=f"sub_{name}")
    new = paying(facts, "NEW", since=60)
    score_day(facts)
    assert facts.day(facts.accounts["DOWN"], ago(0)).revenue == pytest.approx(50)
    assert facts.day(facts.accounts["UP"], ago(0)).revenue == 100
    assert facts.day(facts.accounts["HALVED"], ago(0)).revenue == 0
    assert facts.day(new, ago(0)).revenue is None


def test_recency_ramps_from_60_days_down_to_7(facts: Facts) -> None:
    """recency = 100 × clamp((60 − days_since_last_event) / 53, 0, 1); 0 when the account never had an event:

    - last event D−20 → 100 × 40 / 53 = 75.4717
    - D−7 → 100 × 53 / 53 = 100; D−3 → clamped to 100
    - D−70 (before the 30-day series: found in the usage rollups) → clamped to 0
    - never → 0
    """
    twenty, seven, three, seventy = (paying(facts, name) for name in ("TWENTY", "SEVEN", "THREE", "SEVENTY"))
    events(facts, twenty, 20)
    events(facts, seven, 7)
    events(facts, three, 3)
    events(facts, seventy, 70)
    never = paying(facts, "NEVER")
    score_day(facts)
    assert facts.day(twenty, ago(0)).recency == pytest.approx(100 * 40 / 53)
    assert facts.day(twenty, ago(0)).recency == pytest.approx(75.4717, abs=1e-4)
    assert facts.day(seven, ago(0)).recency == 100
    assert facts.day(three, ago(0)).recency == 100
    assert facts.day(seventy, ago(0)).last_event_day.isoformat() == ago(70)  # type: ignore[union-attr]
    assert facts.day(seventy, ago(0)).recency == 0
    assert facts.day(never, ago(0)).recency == 0


def test_the_score_is_renormalized_over_the_components_that_are_not_null(facts: Facts) -> None:
    """score = Σ wᵢ·sᵢ / Σ wᵢ over the components that are not null:

    LEAN pays since D−60 (revenue null), has no seats (adoption null) and no NPS answer (sentiment null); one
    event on D−20: activity 100 × 1/20 = 5, support 100, recency 100 × 40/53 = 75.4717
    → (30 × 5 + 15 × 100 + 10 × 75.4717) / (30 + 15 + 10) = 2404.717 / 55 = 43.7221: yellow, not at risk.
    FULL adds 4 seats with 2 users (adoption 50), an NPS 9 (sentiment 90) and MRR 90 days before (revenue 100):
    → (30 × 5 + 15 × 50 + 20 × 90 + 15 × 100 + 10 × 100 + 10 × 75.4717) / 100 = 5954.717 / 100 = 59.5472.
    GHOST never paid: a row for its usage, no score.
    """
    lean = paying(facts, "LEAN", since=60)
    events(facts, lean, 20)
    full = paying(facts, "FULL", seats=4)
    events(facts, full, 20)
    events(facts, full, 20, user="u2")
    facts.response(full, "nps", 9, moment(40), contact=facts.contact(full))
    ghost = facts.account("GHOST")
    events(facts, ghost, 2)
    score_day(facts)
    row = facts.day(lean, ago(0))
    assert (row.activity, row.adoption, row.sentiment, row.support, row.revenue) == (5, None, None, 100, None)
    assert row.score == pytest.approx((30 * 5 + 15 * 100 + 10 * 100 * 40 / 53) / 55)
    assert round(row.score or 0, 4) == 43.7221
    assert (row.status, row.at_risk) == ("yellow", False)
    assert facts.day(full, ago(0)).score == pytest.approx(59.5472, abs=1e-4)
    ghost_row = facts.day(ghost, ago(0))
    assert (ghost_row.score, ghost_row.status, ghost_row.health_model_id) == (None, "", None)


def test_statuses_at_the_thresholds(facts: Facts) -> None:
    """green ≥ 70, yellow ≥ 40, red < 40 on the score rounded to 4 decimals (default model, no seats, no NPS,
    revenue 100 from MRR 90 days before):

    GREEN: 10 active days ending D → activity 50, support 100, recency 100, revenue 100
           → (1500 + 1500 + 1000 + 1000) / 65 = 76.9231.
    YELLOW: 4 active days ending D → activity 20 → (600 + 1500 + 1000 + 1000) / 65 = 63.0769.
    RED: never used → activity 0, recency 0 → (1500 + 1000) / 65 = 38.4615: red, and so at risk.
    """
    green, yellow, red = (paying(facts, name) for name in ("GREEN", "YELLOW", "RED"))
    events(facts, green, *range(10))
    events(facts, yellow, *range(4))
    score_day(facts)
    assert facts.day(green, ago(0)).score == pytest.approx(5000 / 65)
    assert facts.day(yellow, ago(0)).score == pytest.approx(4100 / 65)
    assert facts.day(red, ago(0)).score == pytest.approx(2500 / 65)
    assert [facts.day(account, ago(0)).status for account in (green, yellow, red)] == [
        "green",
        "yellow",
        "red",
    ]
    assert [facts.day(account, ago(0)).at_risk for account in (green, yellow, red)] == [False, False, True]


def test_a_score_of_69_99999999999999_in_floating_point_is_green(facts: Facts, admin_user: User) -> None:
    """A model weighing activity 0.1, support 0.7 and recency 0.1 (nothing else). An account never used (activity
    0, recency 0) with two normal tickets (support 100 − 5 − 5 = 90) scores (0.7 × 90) / (0.1 + 0.7 + 0.1) = 70
    exactly, but 0.7 × 90 is 62.99999999999999 in floating point, so the stored score is 69.99999999999999.
    Rounded to 4 decimals it is 70.0000: green (not yellow), as METRICS.md says.
    """
    health_model_save(
        draft=model_draft({"activity": 0.1, "support": 0.7, "recency": 0.1}),
        by=admin_user,
        note="floating point",
    )
    account = paying(facts, "EDGE")
    facts.ticket(account, moment(2), priority="normal")
    facts.ticket(account, moment(3), priority="normal")
    score_day(facts)
    row = facts.day(account, ago(0))
    assert (row.activity, row.support, row.recency) == (0, 90, 0)
    assert 0.7 * 90 / 0.9 == row.score == 69.99999999999999
    assert row.score < 70
    assert row.status == "green"


def test_a_fall_of_15_points_in_30_days_is_at_risk_even_when_green(facts: Facts) -> None:
    """At risk on D: scored on D−30 too and the rounded score on D is ≥ 15 points below the rounded score then.

    Both accounts pay since D−60 (revenue null on both days), no seats, no NPS: weights 30 + 15 + 10 = 55.
    DROP15, active every day D−59…D:
      D−30: activity 100, support 100, recency 100 → 100.
      D: 3 urgent and 2 normal tickets since → support 100 − 45 − 10 = 45 → (3000 + 675 + 1000) / 55 = 85.
      85 ≤ 100 − 15 → at risk, although green.
    DROP14: active D−57…D−41 (17 days) and D−10…D (11 days):
      D−30: activity 100 × 17/20 = 85, last event 11 days before → recency 100 × 49/53 = 92.4528
            → (2550 + 1500 + 924.5283) / 55 = 90.4460.
      D: activity 55, recency 100 → (1650 + 1500 + 1000) / 55 = 75.4545.
      90.4460 − 75.4545 = 14.9915 < 15 → not at risk.
    """
    drop15 = paying(facts, "DROP15", since=60)
    events(facts, drop15, *range(60))
    for priority in ("urgent", "urgent", "urgent", "normal", "normal"):
        facts.ticket(drop15, moment(5), priority=priority)
    drop14 = paying(facts, "DROP14", since=60)
    events(facts, drop14, *range(41, 58), *range(11))
    score_day(facts, start=ago(30))

    before, now = facts.day(drop15, ago(30)), facts.day(drop15, ago(0))
    assert (before.score, now.score, now.support) == (100, 85, 45)
    assert (now.status, now.at_risk) == ("green", True)

    before, now = facts.day(drop14, ago(30)), facts.day(drop14, ago(0))
    assert round(before.score or 0, 4) == 90.4460
    assert round(now.score or 0, 4) == 75.4545
    assert round(before.score or 0, 4) - round(now.score or 0, 4) == pytest.approx(14.9915)
    assert (now.status, now.at_risk) == ("green", False)
