"""Known answers for METRICS.md "Customer voice" and "Support", and for local days in KEEL_TIMEZONE."""

from __future__ import annotations

import pytest
from pytest_django.fixtures import Settings

from tests.scenarios import Facts


def test_nps_csat_ces_of_the_month_and_of_90_days(facts: Facts) -> None:
    """March 2024 responses:
    NPS 10, 10, 9, 7, 3 → promoters 3, detractors 1 → 100 × (3 − 1) / 5 = 40.
    CSAT 5, 4, 3, 1 → satisfied (4–5) 2 of 4 → 50.
    CES 7, 5, 3 → mean 5.0; easy (5–7) 2 of 3.
    The 90 days ending Mar 31 start on Jan 2: a Jan 2 NPS 0 counts in nps_90d, a Jan 1 NPS 10 does not:
    90d NPS = 100 × (3 − 2) / 6 = 16.67; 90d responses 6. Responses of a non-paying account count too.
    """
    account = facts.account("Voice")
    for score in (10, 10, 9, 7, 3):
        facts.response(account, "nps", score, "2024-03-10T12:00:00Z")
    for score in (5, 4, 3, 1):
        facts.response(account, "csat", score, "2024-03-11T12:00:00Z")
    for score in (7, 5, 3):
        facts.response(account, "ces", score, "2024-03-12T12:00:00Z")
    facts.response(account, "nps", 0, "2024-01-02T00:30:00Z")
    facts.response(account, "nps", 10, "2024-01-01T23:30:00Z")
    facts.compute("2024-03-01", "2024-03-31")
    march = facts.month("2024-03")
    assert (march["nps"], march["nps_responses"]) == (40.0, 5)
    assert (march["csat"], march["csat_responses"]) == (50.0, 4)
    assert (march["ces"], march["ces_responses"]) == (5.0, 3)
    assert march["ces_easy_rate"] == pytest.approx(2 / 3)
    assert march["nps_90d"] == pytest.approx(100 / 6) and march["nps_responses_90d"] == 6
    assert march["csat_90d"] == 50.0 and march["ces_90d"] == 5.0


def test_no_responses_means_null_not_zero(facts: Facts) -> None:
    facts.account("Quiet")
    facts.compute("2024-03-01", "2024-03-31")
    march = facts.month("2024-03")
    assert (
        march["nps"] is None
        and march["csat"] is None
        and march["ces"] is None
        and march["nps_responses"] == 0
    )


def test_support_counts_medians_fcr_and_open_tickets(facts: Facts) -> None:
    """Tickets created in March 2024:
    first responses after 2 h, 4 h, 6 h, 1 h (Mar 30) and one never answered → median of 1, 2, 4, 6 = 3 h.
    Resolved in March after 10 h, 20 h, 30 h, 40 h → median of an even count = (20 + 30) / 2 = 25 h.
    Replies of those four: 0, 1, 2 and unknown → fcr = 2 / 3.
    A February ticket resolved in March counts as resolved in March (not created); one created Feb 20 and
    never resolved, and the unanswered March one, are open at the end of March; the one resolved Apr 2 is too.
    """
    account = facts.account("Help")
    facts.ticket(
        account,
        "2024-03-01T08:00:00Z",
        first_response_at="2024-03-01T10:00:00Z",
        resolved_at="2024-03-01T18:00:00Z",
        replies=0,
    )
    facts.ticket(
        account,
        "2024-03-05T08:00:00Z",
        first_response_at="2024-03-05T12:00:00Z",
        resolved_at="2024-03-06T04:00:00Z",
        replies=1,
    )
    facts.ticket(
        account,
        "2024-03-10T08:00:00Z",
        first_response_at="2024-03-10T14:00:00Z",
        resolved_at="2024-03-11T14:00:00Z",
        replies=2,
    )
    facts.ticket(account, "2024-03-20T08:00:00Z")
    facts.ticket(account, "2024-02-28T00:00:00Z", resolved_at="2024-02-29T16:00:00Z")
    facts.ticket(account, "2024-02-29T08:00:00Z", resolved_at="2024-03-02T00:00:00Z")
    facts.ticket(account, "2024-02-20T08:00:00Z")
    facts.ticket(
        account,
        "2024-03-30T08:00:00Z",
        first_response_at="2024-03-30T09:00:00Z",
        resolved_at="2024-04-02T08:00:00Z",
        replies=3,
    )
    facts.compute("2024-03-01", "2024-03-31")
    march = facts.month("2024-03")
    assert (march["tickets_created"], march["tickets_resolved"]) == (5, 4)
    assert march["median_first_response_hours"] == pytest.approx(3.0)
    assert march["median_resolution_hours"] == pytest.approx(25.0)
    assert march["fcr_rate"] == pytest.approx(2 / 3)
    assert march["open_tickets"] == 3


def test_local_days_follow_keel_timezone(facts: Facts, settings: Settings) -> None:
    """KEEL_TIMEZONE America/New_York (UTC−4 in April, UTC−5 in February):
    a ticket at 2024-04-01T02:00Z is Mar 31, 22:00 local → created in March, not April;
    an NPS response at 2024-03-01T03:00Z is Feb 29, 22:00 local → February;
    a span starting 2024-04-01 is a local date and is not moved.
    """
    settings.KEEL_TIMEZONE = settings.TIME_ZONE = "America/New_York"
    account = facts.account("East")
    facts.ticket(account, "2024-04-01T02:00:00Z")
    facts.response(account, "nps", 10, "2024-03-01T03:00:00Z")
    facts.span(account, "100.00", "month", "2024-04-01")
    facts.compute("2024-02-01", "2024-04-30")
    february, march, april = facts.kpis("2024-02", "2024-04")
    assert (march["tickets_created"], april["tickets_created"]) == (1, 0)
    assert (february["nps_responses"], march["nps_responses"]) == (1, 0)
    assert (march["mrr"], april["mrr"]) == ("0.00", "100.00")
