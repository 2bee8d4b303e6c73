"""METRICS.md "Backtest": AUC with ties and churn rate per status, worked by hand."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from accounts.models import Account
from health.models import BacktestChurner, BacktestRow
from health.selectors import backtest_churners, health_backtest
from health.selectors.backtest import backtest_days
from tests.scenarios import Facts, activity_only

MARCH = date(2024, 3, 1)
APRIL = date(2024, 4, 1)


def account(facts: Facts, name: str, active_days: int, *, ends_on: str | None = None) -> Account:
    """Paying $100/month from 2024-01-01 (until `ends_on`), active on the last `active_days` days of March."""
    created = facts.account(name)
    facts.span(created, "100.00", "month", "2024-01-01", ends_on)
    for day in range(31 - active_days + 1, 32):
        facts.event(created, "u1", f"2024-03-{day:02d}T12:00:00Z")
    return created


def compute(facts: Facts) -> None:
    """The month-ends of March and April, and June 30 (so March 31 + 90 days = June 29 is over; April's is not)."""
    for day in ("2024-03-31", "2024-04-30", "2024-06-30"):
        facts.compute(day, day, today="2024-07-01")


def test_auc_counts_ties_as_half(facts: Facts) -> None:
    """On 2024-03-31, with a draft scoring activity alone:

    churners (MRR 0 by May 1, within 90 days): A active 6 days → 30, B 10 days → 50;
    stayers: C 10 days → 50, D 16 days → 80.
    Pairs (churner, stayer): (30, 50) 1, (30, 80) 1, (50, 50) a tie ½, (50, 80) 1 → AUC = 3.5 / 4 = 0.875.
    Churn rate per status: green ≥ 70 {D} 0/1 = 0; yellow {B, C} 1/2 = 0.5; red {A} 1/1 = 1.
    April 30 is left out: its 90 days end on July 29, after the last computed day (June 30), so adding April to
    the range changes nothing.
    """
    account(facts, "A", 6, ends_on="2024-05-01")
    account(facts, "B", 10, ends_on="2024-04-15")
    account(facts, "C", 10)
    account(facts, "D", 16)
    compute(facts)
    result = health_backtest(first_month=MARCH, last_month=MARCH, model=activity_only())
    assert result.auc == pytest.approx(0.875)
    assert result.churn_rate_by_status == {"green": 0.0, "yellow": 0.5, "red": 1.0}
    assert (result.scored, result.churned) == (4, 2)
    assert health_backtest(first_month=MARCH, last_month=APRIL, model=activity_only()) == result


def test_auc_is_null_when_nobody_churned(facts: Facts) -> None:
    """Nobody churns within 90 days: one class is empty → AUC null; churn rates are 0 where someone scored
    and null for a status nobody had (its denominator is 0)."""
    account(facts, "C", 10)
    account(facts, "D", 16)
    compute(facts)
    result = health_backtest(first_month=MARCH, last_month=MARCH, model=activity_only())
    assert result.auc is None
    assert result.churn_rate_by_status == {"green": 0.0, "yellow": 0.0, "red": None}


def test_auc_is_null_when_everybody_churned(facts: Facts) -> None:
    account(facts, "A", 6, ends_on="2024-05-01")
    compute(facts)
    result = health_backtest(first_month=MARCH, last_month=MARCH, model=activity_only())
    assert (result.auc, result.churned, result.scored) == (None, 1, 1)


def test_a_churn_that_comes_back_within_90_days_still_counts(facts: Facts) -> None:
    """ "Churned within 90 days" = MRR 0 on some day of d+1…d+90: E stops on 2024-05-10 and pays again from
    2024-05-20, so it churned; F upgrades on 2024-05-10 (the next span starts the day the last ends): no day
    without MRR, so it stayed. E (6 days, 30) < F (16 days, 80) → AUC 1."""
    e = account(facts, "E", 6, ends_on="2024-05-10")
    facts.span(e, "100.00", "month", "2024-05-20")
    f = account(facts, "F", 16, ends_on="2024-05-10")
    facts.span(f, "200.00", "month", "2024-05-10")
    compute(facts)
    result = health_backtest(first_month=MARCH, last_month=MARCH, model=activity_only())
    assert (result.auc, result.churned, result.scored) == (1.0, 1, 2)


@pytest.mark.parametrize(
    ("last_day", "expected"),
    [
        # Jan 31 + 90 days = Apr 30: over on Apr 30; Feb 29 + 90 = May 29 and Mar 31 + 90 = Jun 29 are not
        (date(2024, 4, 30), [date(2024, 1, 31)]),
        (date(2024, 4, 29), []),
        (date(2024, 5, 29), [date(2024, 1, 31), date(2024, 2, 29)]),
        (date(2024, 12, 31), [date(2024, 1, 31), date(2024, 2, 29), date(2024, 3, 31)]),
        (None, []),  # nothing computed yet
    ],
)
def test_only_month_ends_whose_90_days_are_over_count(last_day: date | None, expected: list[date]) -> None:
    """METRICS.md "Backtest" pools the month-ends d of the range with d + 90 on or before the last computed day."""
    assert backtest_days(date(2024, 1, 1), date(2024, 3, 1), last_day) == expected


def test_the_pipeline_keeps_the_rows_and_refills_a_month_end_it_recomputes(facts: Facts) -> None:
    """The backtest's rows (accounts counted per day and components, churned or stayed: BacktestRow) are the
    pipeline's: the run that computes June 30 adds March 31, whose 90 days it completes; a backtest, whatever the
    model, only reads them. C's subscription then ends on 2024-05-01 and the days are recomputed, March 31 among
    them: its labels follow, so A (30) and C (50) churned, D (80) stayed → AUC 1."""
    account(facts, "A", 6, ends_on="2024-05-01")
    c = account(facts, "C", 10)
    account(facts, "D", 16)
    compute(facts)
    rows = list(BacktestRow.objects.order_by("activity").values_list("day", "activity", "churned", "stayed"))
    assert rows == [
        (date(2024, 3, 31), 30, 1, 0),
        (date(2024, 3, 31), 50, 0, 1),
        (date(2024, 3, 31), 80, 0, 1),
    ]
    first = health_backtest(first_month=MARCH, last_month=MARCH, model=activity_only())
    assert (first.scored, first.churned) == (3, 1)

    c.spans.update(ends_on=date(2024, 5, 1))
    compute(facts)
    second = health_backtest(first_month=MARCH, last_month=MARCH, model=activity_only())
    assert (second.auc, second.scored, second.churned) == (1.0, 3, 2)
    assert sum(BacktestRow.objects.values_list("churned", flat=True)) == 2


def test_a_run_refills_only_the_month_ends_whose_days_it_touched(facts: Facts) -> None:
    """March 31's labels depend on April 1 … June 29: a run of July 31 (none of them) keeps March's rows as they
    were filled even after C's subscription ends on May 1, and adds April 30, whose 90 days end on July 29; a run
    of May 15 refills March 31 (and April 30) from the spans of now."""
    account(facts, "A", 6, ends_on="2024-05-01")
    c = account(facts, "C", 10)
    for day in ("2024-03-31", "2024-04-30", "2024-06-30"):
        facts.compute(day, day, today="2024-08-01")
    assert set(BacktestRow.objects.values_list("day", flat=True)) == {date(2024, 3, 31)}
    c.spans.update(ends_on=date(2024, 5, 1))
    facts.compute("2024-07-31", "2024-07-31", today="2024-08-01")
    assert set(BacktestRow.objects.values_list("day", flat=True)) == {date(2024, 3, 31), date(2024, 4, 30)}
    assert health_backtest(first_month=MARCH, last_month=MARCH, model=activity_only()).churned == 1
    facts.compute("2024-05-15", "2024-05-15", today="2024-08-01")
    assert health_backtest(first_month=MARCH, last_month=MARCH, model=activity_only()).churned == 2


def test_accounts_with_the_same_components_share_a_row(facts: Facts) -> None:
    """Two stayers and a churner active 10 days of 30 on 2024-03-31, with the same other components: one row of
    1 churned and 2 stayed; the backtest counts each account (3 scored: a tie of all → AUC ½)."""
    account(facts, "B", 10, ends_on="2024-04-15")
    account(facts, "C", 10)
    account(facts, "C2", 10)
    compute(facts)
    result = health_backtest(first_month=MARCH, last_month=MARCH, model=activity_only())
    assert (result.auc, result.scored, result.churned) == (0.5, 3, 1)
    assert list(BacktestRow.objects.values_list("activity", "churned", "stayed")) == [(50, 1, 2)]


def test_the_churners_behind_the_counts_with_the_day_they_stopped_paying(facts: Facts) -> None:
    """BacktestChurner: the accounts labelled churned on 2024-03-31, each with the first day of d+1…d+90 without
    MRR (the spans' end, exclusive): A stops on 2024-05-01, B on 2024-04-15, G's span ends on 2024-04-01 = d+1
    (no paid day after d), E stops on 2024-05-10 and pays again from 2024-05-20 (still churned, on 05-10). C
    pays on; H stops on 2024-06-30 = d+91, after the 90 days: stayed. As many as the rows' churned counts."""
    account(facts, "A", 6, ends_on="2024-05-01")
    account(facts, "B", 10, ends_on="2024-04-15")
    account(facts, "C", 10)
    e = account(facts, "E", 6, ends_on="2024-05-10")
    facts.span(e, "100.00", "month", "2024-05-20")
    account(facts, "G", 16, ends_on="2024-04-01")
    account(facts, "H", 16, ends_on="2024-06-30")
    compute(facts)
    churners = dict(BacktestChurner.objects.values_list("account__name", "churned_on"))
    assert churners == {
        "A": date(2024, 5, 1),
        "B": date(2024, 4, 15),
        "E": date(2024, 5, 10),
        "G": date(2024, 4, 1),
    }
    assert set(BacktestChurner.objects.values_list("day", flat=True)) == {date(2024, 3, 31)}
    assert sum(BacktestRow.objects.values_list("churned", flat=True)) == 4
    assert sum(BacktestRow.objects.values_list("stayed", flat=True)) == 2
    # re-weighted with a model, as the backtest does: activity alone scores A 30 (red), B 50 (yellow), E 30,
    # G 80 (green)
    reweighted: list[Any] = list(
        backtest_churners(model=activity_only(), days=[date(2024, 3, 31)]).select_related("account")
    )
    statuses = {row.account.name: (row.score, row.status) for row in reweighted}
    assert statuses == {"A": (30, "red"), "B": (50, "yellow"), "E": (30, "red"), "G": (80, "green")}


def test_a_recompute_refills_the_churners_with_the_rows(facts: Facts) -> None:
    """C's subscription then ends on 2024-05-01 and March 31's 90 days are recomputed: C joins the churners, and
    nothing is written twice."""
    account(facts, "A", 6, ends_on="2024-05-01")
    c = account(facts, "C", 10)
    compute(facts)
    assert list(BacktestChurner.objects.values_list("account__name", flat=True)) == ["A"]
    c.spans.update(ends_on=date(2024, 5, 1))
    compute(facts)
    compute(facts)
    assert sorted(BacktestChurner.objects.values_list("account__name", flat=True)) == ["A", "C"]


def test_each_month_end_has_its_own_rates_and_they_sum_to_the_pooled_ones(facts: Facts) -> None:
    """Month-ends 2024-02-29 and 2024-03-31, activity alone (green from 70, red below 40):

    P: active every day of February and March (100, green), pays on: stayed both times.
    Q: the same (100, green), stops paying on 2024-05-15: churned within 90 days of Feb 29 (by May 29) and of
       Mar 31 (by Jun 29).
    R: active 6 days at the end of February (30, red), stops on 2024-03-10: churned on Feb 29; not scored on
       Mar 31 (no MRR).
    Feb 29: green 1 of 2 churned = 0.5, yellow nobody (null), red 1 of 1 = 1; all 2 of 3.
    Mar 31: green 1 of 2 = 0.5, yellow and red nobody; all 1 of 2.
    Pooled: green 2 of 4 = 0.5, red 1 of 1 = 1, yellow null; 5 scored, 3 churned.
    """
    for name, ends_on in (("P", None), ("Q", "2024-05-15")):
        created = facts.account(name)
        facts.span(created, "100.00", "month", "2024-01-01", ends_on)
        for month, days in (("02", 29), ("03", 31)):
            for day in range(1, days + 1):
                facts.event(created, "u1", f"2024-{month}-{day:02d}T12:00:00Z")
    r = facts.account("R")
    facts.span(r, "100.00", "month", "2024-01-01", "2024-03-10")
    for day in range(24, 30):
        facts.event(r, "u1", f"2024-02-{day:02d}T12:00:00Z")
    for computed in ("2024-02-29", "2024-03-31", "2024-06-30"):
        facts.compute(computed, computed, today="2024-07-01")
    result = health_backtest(
        first_month=date(2024, 2, 1), last_month=MARCH, model=activity_only(), by_month=True
    )
    february, march = result.months
    assert (february.day, march.day) == (date(2024, 2, 29), date(2024, 3, 31))
    assert february.scored == {"green": 2, "yellow": 0, "red": 1}
    assert february.churned == {"green": 1, "yellow": 0, "red": 1}
    assert february.churn_rate_by_status == {"green": 0.5, "yellow": None, "red": 1.0}
    assert february.churn_rate == pytest.approx(2 / 3)
    assert march.churn_rate_by_status == {"green": 0.5, "yellow": None, "red": None}
    assert (march.churn_rate, march.total_scored) == (0.5, 2)
    assert result.churn_rate_by_status == {"green": 0.5, "yellow": None, "red": 1.0}
    assert (result.scored, result.churned) == (5, 3)
    march_only = health_backtest(first_month=MARCH, last_month=MARCH, model=activity_only(), by_month=True)
    assert march_only.months == (march,)
    # not by month: the same pooled figures, without the month-ends
    pooled = health_backtest(first_month=date(2024, 2, 1), last_month=MARCH, model=activity_only())
    assert pooled.months == ()
    assert (pooled.auc, pooled.churn_rate_by_status, pooled.scored, pooled.churned) == (
        result.auc,
        result.churn_rate_by_status,
        result.scored,
        result.churned,
    )
