"""Known answers for METRICS.md "Product usage", per account and per month."""

from __future__ import annotations

from datetime import date

import pytest
from pytest_django.fixtures import Settings

from metrics.fields import account_usage_fields
from metrics.models import UsageUserDay
from tests.scenarios import Facts


def test_dau_mau_stickiness_active_days_and_license_utilization(facts: Facts) -> None:
    """Account with 4 seats, on 2024-03-30 (window Mar 1…Mar 30):
    user u1 active on Mar 1…10 (10 days; three events on Mar 10 still count once),
    user u2 active on Mar 8…12 (5 days), so days with an event = Mar 1…12 = 12 (u1 ∪ u2),
    Σ dau = 10 + 5 = 15, mau = 2 → stickiness = 15 / 30 / 2 = 0.25; license utilization 2 / 4 = 0.5.
    dau on Mar 30 = 0; days since last event = Mar 30 − Mar 12 = 18.
    An event on Feb 29 (outside the window) changes nothing but exists.
    """
    account = facts.account("Sticky", seats=4)
    facts.span(account, "100.00", "month", "2024-01-01")
    for day in range(1, 11):
        facts.event(account, "u1", f"2024-03-{day:02d}T10:00:00Z")
    facts.event(account, "u1", "2024-03-10T11:00:00Z", "export_csv", count=5)
    facts.event(account, "u1", "2024-03-10T12:00:00Z", "api_call")
    for day in range(8, 13):
        facts.event(account, "u2", f"2024-03-{day:02d}T15:00:00Z")
    facts.event(account, "u3", "2024-02-29T15:00:00Z")
    facts.compute("2024-03-30", "2024-03-30", today="2024-04-01")
    usage = account_usage_fields(facts.day(account, "2024-03-30"))
    assert usage == {
        "mrr": "100.00",
        "dau": 0,
        "mau": 2,
        "stickiness": 0.25,
        "active_days_30": 12,
        "license_utilization": 0.5,
        "days_since_last_event": 18,
    }


def test_without_seats_or_events(facts: Facts) -> None:
    """No seats → license utilization null; seats 0 counts as no seats; never an event → days since null."""
    idle = facts.account("Idle", seats=0)
    facts.span(idle, "50.00", "month", "2024-01-01")
    facts.compute("2024-03-30", "2024-03-30", today="2024-04-01")
    usage = account_usage_fields(facts.day(idle, "2024-03-30"))
    assert (usage["mau"], usage["stickiness"], usage["license_utilization"]) == (0, None, None)
    assert usage["days_since_last_event"] is None


def test_days_since_last_event_looks_back_past_the_window(facts: Facts) -> None:
    """Last event on 2024-01-05, snapshot on 2024-03-30: mau 0 but 85 days since the last event."""
    account = facts.account("Lapsed")
    facts.span(account, "50.00", "month", "2024-01-01")
    facts.event(account, "u1", "2024-01-05T09:00:00Z")
    facts.compute("2024-03-30", "2024-03-30", today="2024-04-01")
    assert account_usage_fields(facts.day(account, "2024-03-30"))["days_since_last_event"] == 85


def test_active_accounts_feature_adoption_and_time_to_value(facts: Facts) -> None:
    """March 2024, three paying customers at the end of March:
    A: paying from Mar 10, first event Mar 15 (login) → time to value 5 days; api_call Mar 20.
    B: paying from Feb 1, first event Jan 20 (before paying) → counts 0; logins in March.
    C: paying, no event in the 30 days ending Mar 31 (its only event is Feb 20, a login).
    D: not paying at the end of March (first event in March, pays from April) → left out of everything.
    active_accounts = 2 (A, B); feature_adoption: login 2/3, api_call 1/3, export_csv (only ever used by D) 0.
    time_to_value of March: accounts whose first event is in March: A (5) — B's is in January, D has no MRR
    on or before Mar 31 → median 5.
    """
    a, b, c, d = (facts.account(name) for name in "ABCD")
    facts.span(a, "100.00", "month", "2024-03-10")
    facts.span(b, "100.00", "month", "2024-02-01")
    facts.span(c, "100.00", "month", "2024-01-01")
    facts.span(d, "100.00", "month", "2024-04-01")
    facts.event(a, "a1", "2024-03-15T09:00:00Z")
    facts.event(a, "a1", "2024-03-20T09:00:00Z", "api_call")
    facts.event(b, "b1", "2024-01-20T09:00:00Z")
    facts.event(b, "b1", "2024-03-05T09:00:00Z")
    facts.event(c, "c1", "2024-02-20T09:00:00Z")
    facts.event(d, "d1", "2024-03-25T09:00:00Z", "export_csv")
    facts.compute("2024-03-01", "2024-03-31")
    march = facts.month("2024-03")
    assert march["active_accounts"] == 2
    assert march["feature_adoption"] == {
        "api_call": pytest.approx(1 / 3),
        "export_csv": 0.0,
        "login": pytest.approx(2 / 3),
    }
    assert march["time_to_value_days"] == 5.0


def test_time_to_value_with_an_activation_event_and_an_even_count(facts: Facts, settings: Settings) -> None:
    """KEEL_ACTIVATION_EVENT = create_report. A pays from Mar 1 and first reports Mar 4 (3 days); B pays from
    Feb 10 and first reports Mar 8 (27 days; its logins before do not count) → median (3 + 27) / 2 = 15."""
    settings.KEEL_ACTIVATION_EVENT = "create_report"
    a, b = facts.account("A"), facts.account("B")
    facts.span(a, "100.00", "month", "2024-03-01")
    facts.span(b, "100.00", "month", "2024-02-10")
    facts.event(a, "a1", "2024-03-04T09:00:00Z", "create_report")
    facts.event(b, "b1", "2024-02-12T09:00:00Z", "login")
    facts.event(b, "b1", "2024-03-08T09:00:00Z", "create_report")
    facts.compute("2024-03-01", "2024-03-31")
    assert facts.month("2024-03")["time_to_value_days"] == 15.0


def test_no_customers_means_null_adoption(facts: Facts) -> None:
    account = facts.account("Trial")
    facts.event(account, "t1", "2024-03-05T09:00:00Z")
    facts.compute("2024-03-01", "2024-03-31")
    march = facts.month("2024-03")
    assert march["feature_adoption"] == {"login": None} and march["active_accounts"] == 0


def test_usage_days_are_local_days(facts: Facts, settings: Settings) -> None:
    """KEEL_TIMEZONE Asia/Tokyo (UTC+9): an event at 2024-03-31T16:00Z is Apr 1, 01:00 local, so it is a
    usage day of April 1, not March 31."""
    settings.KEEL_TIMEZONE = settings.TIME_ZONE = "Asia/Tokyo"
    account = facts.account("Tokyo")
    facts.event(account, "u1", "2024-03-31T16:00:00Z")
    facts.compute("2024-03-31", "2024-04-01", today="2024-04-05")
    assert list(UsageUserDay.objects.values_list("day", flat=True)) == [date(2024, 4, 1)]
    assert account_usage_fields(facts.day(account, "2024-04-01"))["dau"] == 1


def test_company_stickiness_pools_the_paying_accounts(facts: Facts) -> None:
    """METRICS.md `stickiness` (company monthly) on 2024-06-30, window Jun 1…30:

    - Anchor (paying): u1 every day of June (30 days), u2 on Jun 10, 11, 12 → Σ dau 33, mau 2
    - Birch (paying): u3 on Jun 1…6 → Σ dau 6, mau 1
    - Gone (no MRR on Jun 30, so not scored): u4 every day → left out
    Company: (33 + 6) / 30 / (2 + 1) = 39 / 90 = 0.4333… (not the mean of the accounts' 0.55 and 0.2).
    """
    anchor = facts.account("Anchor")
    birch = facts.account("Birch")
    gone = facts.account("Gone")
    facts.span(anchor, "100.00", "month", "2024-01-01")
    facts.span(birch, "50.00", "month", "2024-01-01")
    facts.span(gone, "70.00", "month", "2024-01-01", "2024-06-15")
    for day in range(1, 31):
        facts.event(anchor, "u1", f"2024-06-{day:02d}T09:00:00Z")
        facts.event(gone, "u4", f"2024-06-{day:02d}T09:00:00Z")
    for day in (10, 11, 12):
        facts.event(anchor, "u2", f"2024-06-{day:02d}T10:00:00Z")
    for day in range(1, 7):
        facts.event(birch, "u3", f"2024-06-{day:02d}T10:00:00Z")
    facts.compute("2024-05-31", "2024-06-30", today="2024-07-01")
    assert facts.month("2024-06")["stickiness"] == pytest.approx(39 / 90, abs=1e-12)
    assert facts.month("2024-05")["stickiness"] is None  # no usage in the 30 days to May 31: mau 0
