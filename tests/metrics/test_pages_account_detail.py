"""The account page (account 360): what it shows, from the spans, the snapshots and the small lists."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from accounts.models import Account, SurveyResponse, User
from health.models import Task
from tests.factories import ContactFactory, SubscriptionSpanFactory
from tests.scenarios import Facts

LIST = reverse("account_list")
SNAPSHOT_DAY = date(2024, 6, 30)


def test_detail_query_count(
    client: Client, csm: User, own_account: Account, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    """session + user + the nav's open tasks + the account with its CSM, snapshot row and MRR today + every list
    with its count (one query, whatever their length) + its history + its health (none here: one query) + its
    timeline (one query). A scored account adds the explanation's lookups (tests/health/test_page_account_health.py)."""
    client.force_login(csm)
    url = reverse("account_detail", args=[own_account.pk])
    with django_assert_max_num_queries(8):
        assert client.get(url).status_code == 200
    for _ in range(10):
        SubscriptionSpanFactory(account=own_account)
        ContactFactory(account=own_account)
    with django_assert_max_num_queries(8):
        assert client.get(url).status_code == 200


def test_account_page(client: Client, csm: User, own_account: Account) -> None:
    """The $1,200/year span → MRR 100.00; an ended $60/month span is listed but not counted."""
    today = timezone.localdate()
    SubscriptionSpanFactory(
        account=own_account,
        subscription_id="sub_old",
        amount="60.00",
        starts_on=today - timedelta(days=100),
        ends_on=today - timedelta(days=10),
        plan="Starter",
    )
    client.force_login(csm)
    response = client.get(reverse("account_detail", args=[own_account.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "Harbor Lights Inc",
        "ACC-OWN-1",
        "smb",
        "Alice Owner",
        "Hana Harbor",
        "hana@harbor.example",
    ):
        assert text in html
    assert '<dd class="big" id="mrr-today">$100.00</dd>' in html
    assert '<dd class="big" id="arr-today">$1,200.00</dd>' in html
    assert "sub_old" in html
    assert "Ended" in html
    assert "Active" in html
    assert "1,200.00" in html  # the yearly span's amount


def test_the_account_360(client: Client, csm: User, facts: Facts) -> None:
    """An account with snapshots of April–June 2024: MRR 100 (a $1,200/year span since 2023-06-15), then a
    second subscription of $50/month from May 10 → expansion to 150.00 at the end of May. The page shows MRR
    today from the spans, the month-end history with its movements, 90 days of health and usage, the answers
    with their comments, tickets, tasks, contacts, the spans and the next renewal (every June 15)."""
    account = facts.account("Harbor Lights", csm=csm, seats=5)
    facts.span(account, "1200.00", "year", "2023-06-15")
    facts.span(account, "50.00", "month", "2024-05-10")
    contact = facts.contact(account)
    facts.response(account, "nps", 9, "2024-06-02T10:00:00Z", contact=contact)
    facts.response(account, "csat", 2, "2024-06-03T10:00:00Z")
    SurveyResponse.objects.filter(account=account, kind="nps").update(comment="Support saved our launch")
    facts.ticket(account, "2024-06-20T08:00:00Z", subject="Outage on login", priority="urgent")
    Task.objects.create(
        account=account, assignee=csm, kind="at_risk", title="Call Harbor", due_on=date(2024, 7, 2)
    )
    facts.compute("2024-04-01", "2024-06-30", today="2024-07-01")

    client.force_login(csm)
    html = client.get(reverse("account_detail", args=[account.pk])).content.decode()
    assert '<dd class="big" id="mrr-today">$150.00</dd>' in html
    assert '<dd class="big" id="arr-today">$1,800.00</dd>' in html
    found = re.search(r'<script id="account-data" type="application/json">(.*?)</script>', html, re.S)
    assert found is not None
    data = json.loads(found.group(1))
    assert data["months"] == ["2024-04", "2024-05", "2024-06"]
    assert data["mrr"] == [100.0, 150.0, 150.0]
    assert data["movements"] == ["", "expansion", ""]
    assert len(data["days"]) == 90 and data["days"][-1] == "2024-06-30"
    assert all(score is not None for score in data["score"][-30:])
    movements = re.sub(
        r"\s+", " ", re.sub(r"<[^>]+>", " ", html.split('id="movements"', 1)[1].split("</table>", 1)[0])
    )
    assert "May 2024 Expansion 100.00 150.00 +50.00" in movements
    for text in (
        "Support saved our launch",
        "Outage on login",
        "Urgent",
        "Call Harbor",
        contact.email,
        "Survey answers",
        "Subscription timeline",
        'class="timeline__bar timeline__bar--active"',
    ):
        assert text in html, text
    today = timezone.localdate()
    renewal = today.replace(month=6, day=15)
    if renewal <= today:
        renewal = renewal.replace(year=today.year + 1)
    assert renewal.strftime("%-d %b %Y") in html.split('id="next-renewal"', 1)[1][:400]
