"""The Data sources page: the counts of each source by day, the latest refusals, and a source gone quiet as
docs/METRICS.md "Data sources" defines it (its worked example by hand)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import DataSource, Role, StripeCustomer, User
from accounts.selectors.sources import source_activity, source_quiet_days
from accounts.services import source_accepted, source_rejected

URL = reverse("data_sources")


def day(n: int) -> date:
    return date(2026, 3, n) if n <= 31 else date(2026, 3, 31) + timedelta(days=n - 31)


def test_the_worked_example_of_a_source_gone_quiet() -> None:
    data_days = [day(1), day(2), day(3), day(5), day(6)]  # gaps 1, 1, 2, 1: usual gap 2
    assert source_quiet_days(data_days, today=day(10)) == (None, 2)  # quiet 4, not more than max(2, 4)
    assert source_quiet_days(data_days, today=day(11)) == (5, 2)
    every_day = [day(n) for n in range(1, 21)]
    assert source_quiet_days(every_day, today=day(60)) == (40, 1)
    assert source_quiet_days(every_day, today=day(22)) == (None, 1)  # 2 days is not more than 2
    assert source_quiet_days(every_day, today=day(23)) == (3, 1)


def test_too_few_days_have_no_usual() -> None:
    assert source_quiet_days([], today=day(10)) == (None, None)
    assert source_quiet_days([day(1), day(2)], today=day(30)) == (None, None)
    # Only the 30 days up to the last data day count: two old days and two recent ones are too few.
    assert source_quiet_days([day(1), day(2), day(40), day(41)], today=day(60)) == (None, None)


@pytest.mark.django_db
def test_the_activity_of_each_source_over_30_days() -> None:
    today = day(31)
    for n in (1, 2, 3, 5, 6):  # Segment: the worked example, then silence to the 31st
        source_accepted(DataSource.SEGMENT, 100 * n, at=datetime(2026, 3, n, 12, tzinfo=UTC))
    source_rejected(DataSource.SEGMENT, "bad write key", at=datetime(2026, 3, 6, 13, tzinfo=UTC))
    source_accepted(DataSource.API, 7, at=datetime(2026, 3, 31, 9, tzinfo=UTC))
    source_accepted(DataSource.API, 9, at=datetime(2026, 1, 2, 9, tzinfo=UTC))  # before the window
    activity = {a.source: a for a in source_activity(today=today)}

    segment = activity[DataSource.SEGMENT]
    assert segment.days[0] == day(2) and segment.days[-1] == today and len(segment.days) == 30
    assert segment.accepted_total == 100 * (2 + 3 + 5 + 6)  # the 1st is outside the 30 days
    assert segment.rejected_total == 1
    assert segment.last_at == datetime(2026, 3, 6, 13, tzinfo=UTC)
    assert (segment.quiet_days, segment.usual_gap) == (25, 2)
    api = activity[DataSource.API]
    assert (api.accepted_total, api.quiet_days, api.usual_gap) == (7, None, None)  # two data days: no usual
    assert activity[DataSource.STRIPE].last_at is None


@pytest.mark.django_db
def test_the_page_shows_counts_quiet_sources_and_refusals(client: Client) -> None:
    admin = User.objects.create_user("ada@keel.test", "x", name="Ada", role=Role.ADMIN)
    today = datetime.now(tz=UTC)
    for n in range(10, 4, -1):
        source_accepted(DataSource.SEGMENT, 50, at=today - timedelta(days=n))
    source_rejected(
        DataSource.STRIPE,
        "The signature does not match.",
        detail={"event": "evt_1", "path": "/webhooks/stripe"},
    )
    client.force_login(admin)
    html = client.get(URL).content.decode()
    row = html[html.index('id="source-segment"') : html.index("</tr>", html.index('id="source-segment"'))]
    assert "Quiet for 5 days" in row and ">300<" in row
    refusals = html[html.index('id="refusals"') :]
    assert "The signature does not match." in refusals and "event: evt_1" in refusals
    assert 'id="sources-data"' in html and 'href="/data/"' in html  # the chart data; the tab back to imports


@pytest.mark.django_db
def test_the_page_lists_the_stripe_customers_waiting_for_an_account(client: Client) -> None:
    admin = User.objects.create_user("ada@keel.test", "x", name="Ada", role=Role.ADMIN)
    StripeCustomer.objects.create(customer_id="cus_waiting")
    client.force_login(admin)
    quarantine = client.get(URL).content.decode().split('id="quarantine"')[1].split("</section>")[0]
    assert "cus_waiting" in quarantine and reverse("stripe_quarantine") in quarantine


@pytest.mark.django_db
def test_a_source_silent_for_longer_than_the_window_is_still_quiet() -> None:
    """Daily from the 1st to the 20th of March, nothing since: on 29 April (the 60th day) nothing of it is in the
    30 days shown, yet it is "quiet for 40 days" (usual gap 1), as docs/METRICS.md's example says."""
    for n in range(1, 21):
        source_accepted(DataSource.SEGMENT, 10, at=datetime(2026, 3, n, 12, tzinfo=UTC))
    segment = {a.source: a for a in source_activity(today=day(60))}[DataSource.SEGMENT]
    assert segment.accepted_total == 0 and segment.last_at == datetime(2026, 3, 20, 12, tzinfo=UTC)
    assert (segment.quiet_days, segment.usual_gap) == (40, 1)
