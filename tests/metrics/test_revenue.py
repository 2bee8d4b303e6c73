"""Known answers for METRICS.md "Revenue", worked by hand in each docstring."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pytest_django.fixtures import Settings

from tests.scenarios import Facts


def test_chartmogul_example_new_expansion_contraction_churn_reactivation(facts: Facts) -> None:
    """One account through a year (ChartMogul's example):

    Jan 10: $2,000/year → new MRR 2000 / 12 = 166.666… → 166.67; ARR 2,000.00.
    Feb 5: a second subscription at $60/month → expansion 60.00; MRR 226.67.
    Mar 15: the $60 one is cancelled → contraction 60.00; MRR 166.67.
    Apr 20: the yearly one is cancelled → churn 166.67; MRR 0; logo churn 1/1.
    May: nothing pays, nothing starts: every rate's denominator is 0 → null.
    Jun 3: back at $2,000/year → reactivation 166.67 (it paid on an earlier month-end), not new.
    """
    acme = facts.account("ACME")
    facts.span(acme, "2000.00", "year", "2024-01-10", "2024-04-20", subscription="yearly")
    facts.span(acme, "60.00", "month", "2024-02-05", "2024-03-15", subscription="addon")
    facts.span(acme, "2000.00", "year", "2024-06-03", subscription="yearly")
    facts.compute("2024-01-01", "2024-06-30")
    jan, feb, mar, apr, may, jun = facts.kpis("2024-01", "2024-06")

    assert (jan["mrr"], jan["new_mrr"], jan["arr"], jan["new_customers"], jan["customers"]) == (
        "166.67",
        "166.67",
        "2000.00",
        1,
        1,
    )
    assert jan["mrr_start"] == "0.00" and jan["logo_churn_rate"] is None and jan["nrr_monthly"] is None
    assert (feb["mrr_start"], feb["expansion_mrr"], feb["mrr"], feb["expanded_customers"]) == (
        "166.67",
        "60.00",
        "226.67",
        1,
    )
    assert feb["expansion_mrr_rate"] == pytest.approx(60 / (2000 / 12))
    assert (mar["contraction_mrr"], mar["mrr"], mar["contracted_customers"]) == ("60.00", "166.67", 1)
    assert mar["gross_mrr_churn_rate"] == pytest.approx(60 / (2000 / 12 + 60))
    assert (apr["churned_mrr"], apr["mrr"], apr["churned_customers"], apr["customers"]) == (
        "166.67",
        "0.00",
        1,
        0,
    )
    assert apr["logo_churn_rate"] == 1.0 and apr["customer_retention_rate"] == 0.0
    assert apr["nrr_monthly"] == 0.0 and apr["grr_monthly"] == 0.0
    assert may["mrr"] == "0.00" and may["customers_start"] == 0 and may["logo_churn_rate"] is None
    assert may["arpa"] is None and may["quick_ratio"] is None
    assert (jun["reactivation_mrr"], jun["reactivated_customers"], jun["new_mrr"], jun["new_customers"]) == (
        "166.67",
        1,
        "0.00",
        0,
    )


def test_mrr_bridge_and_arr_are_rounded_once(facts: Facts) -> None:
    """Three accounts at $100/quarter each: MRR 33.333… each, 100.00 together (not 3 × 33.33 = 99.99).

    ARR = 12 × the exact MRR = 1,200.00; arpa = 100/3 = 33.33.
    """
    for name in ("A", "B", "C"):
        facts.span(facts.account(name), "100.00", "quarter", "2024-03-01")
    facts.compute("2024-03-01", "2024-03-31")
    march = facts.month("2024-03")
    assert (march["mrr"], march["new_mrr"], march["arr"], march["arpa"]) == (
        "100.00",
        "100.00",
        "1200.00",
        "33.33",
    )


def test_a_subscription_inside_one_month_never_shows(facts: Facts) -> None:
    """$500/month from Mar 3 to Mar 20: active on no month-end, so no movement and no customer."""
    facts.span(facts.account("Brief"), "500.00", "month", "2024-03-03", "2024-03-20")
    facts.compute("2024-02-01", "2024-04-30")
    for month in facts.kpis("2024-02", "2024-04"):
        assert (month["mrr"], month["new_mrr"], month["churned_mrr"], month["customers"]) == (
            "0.00",
            "0.00",
            "0.00",
            0,
        )


def test_cancellations_on_the_first_and_on_the_last_day_of_a_month(facts: Facts) -> None:
    """A span is active on d when starts_on ≤ d < ends_on.

    ends_on May 31: its last active day is May 30, so it is not active on the month-end: churn in May.
    ends_on Jun 1: active through May 31, so it churns in June.
    Both $300/month: May churns 300.00 (one account), June 300.00 (the other).
    """
    facts.span(facts.account("LastDay"), "300.00", "month", "2024-01-15", "2024-05-31")
    facts.span(facts.account("FirstDay"), "300.00", "month", "2024-01-15", "2024-06-01")
    facts.compute("2024-04-01", "2024-06-30")
    april, may, june = facts.kpis("2024-04", "2024-06")
    assert april["churned_customers"] == 0 and april["mrr"] == "600.00"
    assert (may["churned_customers"], may["churned_mrr"], may["mrr"]) == (1, "300.00", "300.00")
    assert (june["churned_customers"], june["churned_mrr"], june["mrr"]) == (1, "300.00", "0.00")


def test_nrr_and_grr_over_twelve_months(facts: Facts) -> None:
    """Cohort = accounts paying at the end of 2023-06: A 100, B 200, C 300 (MRR), Σ 600.

    At the end of 2024-06: A 150 (expanded), B 0 (churned), C 300, and D 500 is new (not in the cohort).
    nrr_12m = (150 + 0 + 300) / 600 = 0.75; grr_12m = (min(150,100) + 0 + 300) / 600 = 400 / 600.
    """
    a, b, c, d = (facts.account(name) for name in "ABCD")
    facts.span(a, "100.00", "month", "2023-01-01", "2024-01-01", subscription="a")
    facts.span(a, "150.00", "month", "2024-01-01", subscription="a")
    facts.span(b, "200.00", "month", "2023-01-01", "2024-03-10")
    facts.span(c, "3600.00", "year", "2023-01-01")
    facts.span(d, "500.00", "month", "2024-02-01")
    facts.compute("2024-06-01", "2024-06-30")
    june = facts.month("2024-06")
    assert june["nrr_12m"] == pytest.approx(0.75)
    assert june["grr_12m"] == pytest.approx(400 / 600)


def test_renewals_follow_term_ends_from_the_span_start(facts: Facts) -> None:
    """$300/quarter from Jan 31, 2024: term ends Apr 30 (Jan 31 + 1 quarter, clamped), Jul 31 (+2 quarters,
    from the span's own start, not Apr 30 + 3 months = Jul 30), Oct 31.

    April: 1 due, renewed (still active on Apr 30): rate 1, gross dollar 1.
    July: the span ends Jul 31 and the same subscription continues at $240/quarter from Jul 31:
      due (active Jul 30), renewed (a span is active on Jul 31); gross dollar = min(80, 100) / 100 = 0.8.
    A yearly $0 span from 2023-04-30 counts too: due Apr 30, 2024, renewed (no end): April due 2, renewed 2,
      gross dollar (100 + 0) / (100 + 0) = 1.
    A yearly span that ended 2024-03-01 has no renewal due in 2024-04.
    May: nothing due → renewal_rate null.
    """
    account = facts.account("Renew")
    facts.span(account, "300.00", "quarter", "2024-01-31", "2024-07-31", subscription="q")
    facts.span(account, "240.00", "quarter", "2024-07-31", subscription="q")
    facts.span(account, "0.00", "year", "2023-04-30", subscription="free")
    facts.span(account, "1200.00", "year", "2023-04-10", "2024-03-01", subscription="gone")
    facts.compute("2024-04-01", "2024-07-31")
    april, may, _june, july = facts.kpis("2024-04", "2024-07")
    assert (april["renewals_due"], april["renewals_renewed"], april["renewal_rate"]) == (2, 2, 1.0)
    assert april["gross_dollar_renewal_rate"] == 1.0
    assert (
        may["renewals_due"] == 0 and may["renewal_rate"] is None and may["gross_dollar_renewal_rate"] is None
    )
    assert (july["renewals_due"], july["renewals_renewed"]) == (1, 1)
    assert july["gross_dollar_renewal_rate"] == pytest.approx(0.8)


def test_a_renewal_that_lapses_is_due_but_not_renewed(facts: Facts) -> None:
    """$1,200/year from 2023-05-15 ending 2024-05-15: due on May 15 (active May 14), nothing active May 15."""
    facts.span(facts.account("Lapse"), "1200.00", "year", "2023-05-15", "2024-05-15")
    facts.compute("2024-05-01", "2024-05-31")
    may = facts.month("2024-05")
    assert (may["renewals_due"], may["renewals_renewed"], may["renewal_rate"]) == (1, 0, 0.0)
    assert may["gross_dollar_renewal_rate"] == 0.0


def test_quick_ratio_ltv_and_cac(facts: Facts, settings: Settings) -> None:
    """Six months of 10 customers at $100/month, one churning each month from February and one new each month.

    Each month m in Feb…Jul: customers_start 10, churned 1 → logo churn 0.1; the 6-month mean in July 0.1.
    July: MRR 10 × 100 = 1,000; customers 10; arpa 100; ltv = 100 × 0.8 (margin) / 0.1 = 800.00.
    Spend in July $1,500, new customers 1 → cac 1,500.00; ltv_to_cac = 800 / 1500; payback = 1500 / (100 × 0.8).
    quick_ratio = (new 100) / (churned 100) = 1.
    """
    settings.KEEL_GROSS_MARGIN = Decimal("0.8")
    for index in range(10):
        facts.span(facts.account(f"Base{index}"), "100.00", "month", "2024-01-01", f"2024-{index + 2:02d}-15")
    for index in range(10):
        facts.span(facts.account(f"New{index}"), "100.00", "month", f"2024-{index + 2:02d}-10")
    facts.spend("2024-07", "1500.00")
    facts.compute("2024-07-01", "2024-07-31")
    july = facts.month("2024-07")
    assert (july["customers_start"], july["churned_customers"], july["new_customers"]) == (10, 1, 1)
    assert (july["mrr"], july["arpa"], july["ltv"], july["cac"]) == ("1000.00", "100.00", "800.00", "1500.00")
    assert july["quick_ratio"] == 1.0
    assert july["ltv_to_cac"] == pytest.approx(800 / 1500)
    assert july["cac_payback_months"] == pytest.approx(1500 / 80)


def test_ltv_is_null_without_six_months_of_customers(facts: Facts) -> None:
    """Customers only from March: the mean of Feb…Jul logo churn has a null month (no customers at the start)."""
    facts.span(facts.account("Young"), "100.00", "month", "2024-03-01")
    facts.compute("2024-07-01", "2024-07-31")
    assert facts.month("2024-07")["ltv"] is None
