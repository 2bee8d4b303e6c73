"""The Health page's preview: a draft against the active model by re-weighting stored components."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from health.models import DEFAULT_WEIGHTS, HealthModel
from health.selectors import health_model_active
from metrics.models import AccountDay
from metrics.selectors.health_preview import backtest_months, health_distributions, health_preview
from tests.factories import AccountFactory
from tests.scenarios import D, Facts, activity_only, ago, events, model_draft, score_day

X = date(2024, 6, 30)


def without_activity() -> HealthModel:
    return model_draft({**DEFAULT_WEIGHTS, "activity": 0})


def test_the_distribution_of_a_draft_and_of_the_active_model(
    stored_day: Callable[..., AccountDay], django_assert_num_queries: Callable[..., CaptureQueriesContext]
) -> None:
    """Stored components on X (and C's on X − 30); the draft drops activity's weight (30 → 0).

    | | components | active (30/15/15/10) | draft (activity 0) |
    |A| activity 100, support 100, recency 100 | 100: green | 2500 / 25 = 100: green |
    |B| activity 0, support 100, recency 50 | 2000 / 55 = 36.3636: red, at risk | 2000 / 25 = 80: green |
    |C| activity 50, adoption 0, support 100, recency 100 | 4000 / 70 = 57.1429: yellow | 2500 / 40 = 62.5 |
    C on X − 30 had every one of them at 100: 100 under both models, so C fell ≥ 15: at risk under both.
    ARR at risk: active B + C = 2,400 + 3,600 = 6,000; draft C = 3,600. Average: active 193.5065 / 3 = 64.5022;
    draft 242.5 / 3 = 80.8333.
    """
    a, b, c = (AccountFactory.create(name=name) for name in "ABC")
    stored_day(a, X, score=100.0, activity=100, support=100, recency=100, arr=1200)
    stored_day(b, X, score=2000 / 55, activity=0, support=100, recency=50, arr=2400)
    stored_day(
        c, X, score=4000 / 70, activity=50, adoption=0, support=100, recency=100, arr=3600, at_risk=True
    )
    stored_day(c, X - timedelta(days=30), score=100.0, activity=100, adoption=100, support=100, recency=100)
    model = health_model_active()
    # the days the pipeline copied (none here: the daily rows are read), then one aggregate query, with the
    # savepoint and the work_mem of its transaction
    with django_assert_num_queries(5):
        draft, active = health_distributions(day=X, draft=without_activity(), active=model)
    assert (active.green, active.yellow, active.red, active.at_risk) == (1, 1, 1, 2)
    assert active.at_risk_arr == Decimal(6000)
    assert active.average == pytest.approx((100 + 2000 / 55 + 4000 / 70) / 3)
    assert (draft.green, draft.yellow, draft.red, draft.at_risk) == (2, 1, 0, 1)
    assert draft.at_risk_arr == Decimal(3600)
    assert draft.average == pytest.approx(242.5 / 3)
    assert draft.share("green") == pytest.approx(2 / 3)


def test_scores_near_a_bound_compare_rounded_to_4_decimals(stored_day: Callable[..., AccountDay]) -> None:
    """A draft scoring activity alone (score = activity), accounts within 0.0001 of a bound, where comparing the
    unrounded score would give the other answer (METRICS.md: statuses and the drop rule read the score rounded to
    4 decimals, half up):

    | | activity on X | rounded | status | on X − 30 | rounded | fell ≥ 15? |
    |G| 69.99996 | 70.0000 | green | | | |
    |Y| 69.99994 | 69.9999 | yellow | | | |
    |Z| 39.99995 | 40.0000 | yellow | | | |
    |R| 39.99994 | 39.9999 | red (at risk) | | | |
    |P| 70.00004 | 70.0000 | green | 84.99996 | 85.0000 | 70.0000 ≤ 70.0000: yes (unrounded only 14.99992) |
    |Q| 70.00005 | 70.0001 | green | 85.00004 | 85.0000 | 70.0001 > 70.0000: no (unrounded 14.99999) |
    At risk: R and P.
    """
    model = activity_only()
    today = {"G": 69.99996, "Y": 69.99994, "Z": 39.99995, "R": 39.99994, "P": 70.00004, "Q": 70.00005}
    before = {"P": 84.99996, "Q": 85.00004}
    for name, activity in today.items():
        account = AccountFactory.create(name=name)
        stored_day(
            account, X, score=activity, activity=activity, support=100, recency=100, arr=12 * (ord(name))
        )
        if name in before:
            stored_day(account, X - timedelta(days=30), score=before[name], activity=before[name])
    draft, _ = health_distributions(day=X, draft=model, active=health_model_active())
    assert (draft.green, draft.yellow, draft.red, draft.at_risk) == (3, 2, 1, 2)
    assert draft.at_risk_arr == 12 * (ord("R") + ord("P"))


def test_the_active_model_reproduces_what_the_pipeline_stored(facts: Facts) -> None:
    """Re-weighting the stored components with the model they were computed with gives the stored statuses
    and at-risk flags, account for account in aggregate (the same float expression as the pipeline's)."""
    for index in range(12):
        account = facts.account(f"ACC{index}", seats=4 if index % 3 else None)
        facts.span(account, "100.00", "month", ago(60 if index % 2 else 400))
        events(facts, account, *range(0, 3 * index, 2))
        if index % 4 == 0:
            facts.ticket(account, f"{ago(2)}T10:00:00Z", priority="urgent")
    score_day(facts, start=ago(30))
    active = health_model_active()
    _, counts = health_distributions(day=D, draft=active, active=active)
    stored = AccountDay.objects.filter(day=D, score__isnull=False)
    statuses = Counter(stored.values_list("status", flat=True))
    assert (counts.green, counts.yellow, counts.red) == (
        statuses["green"],
        statuses["yellow"],
        statuses["red"],
    )
    assert counts.at_risk == stored.filter(at_risk=True).count() > 0
    assert counts.scored == 12


def test_the_backtest_covers_the_last_12_months_whose_90_days_are_over() -> None:
    """Last computed day 2025-06-30: March 31 + 90 = June 29 is over, April 30 + 90 is not → Apr 2024 … Mar 2025.
    On June 28, March 31's 90 days are not over yet → Mar 2024 … Feb 2025."""
    assert backtest_months(last_day=date(2025, 6, 30)) == (date(2024, 4, 1), date(2025, 3, 1))
    assert backtest_months(last_day=date(2025, 6, 29)) == (date(2024, 4, 1), date(2025, 3, 1))
    assert backtest_months(last_day=date(2025, 6, 28)) == (date(2024, 3, 1), date(2025, 2, 1))
    assert backtest_months(last_day=date(2025, 1, 15)) == (
        date(2023, 10, 1),
        date(2024, 9, 1),
    )  # Oct 31 + 90 > Jan 15


def test_no_preview_before_anything_is_computed(db: None) -> None:
    active = health_model_active()
    assert health_preview(draft=active, active=active) is None


def test_the_preview_caches_the_backtest_until_the_pipeline_runs_again(facts: Facts) -> None:
    """The active model's backtest is kept between visits; a computed day changes the ledger and the key."""
    account = facts.account("ONE")
    facts.span(account, "100.00", "month", ago(400))
    score_day(facts)
    active = health_model_active()
    with CaptureQueriesContext(connection) as first:
        health_preview(draft=active, active=active)
    with CaptureQueriesContext(connection) as second:
        health_preview(draft=active, active=active)
    assert len(second) < len(first)
    assert not any("health_backtestrow" in query["sql"] for query in second.captured_queries)
    facts.compute(ago(1), ago(1), today="2024-07-01")
    with CaptureQueriesContext(connection) as third:
        health_preview(draft=active, active=active)
    assert any("health_backtestrow" in query["sql"] for query in third.captured_queries)
