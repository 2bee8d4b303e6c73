"""The account's timeline (metrics.selectors.timeline): every source of events, in order, worded on the 360."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Account, TimelineEntry, User
from accounts.services import timeline_entry_create
from health.models import Task
from metrics.models import AccountDay
from metrics.selectors.timeline import account_timeline
from tests.scenarios import Facts, at

TODAY = date(2024, 6, 20)


@pytest.fixture
def history(facts: Facts, csm: User, stored_day: Callable[..., AccountDay]) -> Account:
    """One account with one event of every kind, on days worked out by hand:
    Jan 1 sub_A starts at 1,200/yr (MRR 100); Apr 1 it changes to 2,400/yr (MRR 200); sub_B runs Feb 1 – May 1
    (ends, no span after it); health green (Jun 1), green (Jun 2), red (Jun 3), yellow (Jun 5): two changes;
    a ticket on Jun 4, an NPS 3 on Jun 6, a task opened Jun 7 and closed Jun 8, a logged call on Jun 9 with
    the contact, and a span starting in July (after today: left out)."""
    account = facts.account("Acme", csm=csm)
    facts.span(account, "1200", "year", "2024-01-01", "2024-04-01", subscription="sub_A")
    facts.span(account, "2400", "year", "2024-04-01", subscription="sub_A")
    facts.span(account, "100", "month", "2024-02-01", "2024-05-01", subscription="sub_B")
    facts.span(account, "50", "month", "2024-07-01", subscription="sub_C")
    for day, score in ((1, 90.0), (2, 85.0), (3, 20.0), (5, 55.0)):
        stored_day(account, date(2024, 6, day), score=score)
    contact = facts.contact(account)
    contact.name = "Dana Buyer"
    contact.save()
    facts.ticket(account, "2024-06-04T10:00:00Z", subject="Export fails", priority="high")
    facts.response(account, "nps", 3, "2024-06-06T09:00:00Z", contact=contact)
    task = Task.objects.create(
        account=account, assignee=csm, kind=Task.Kind.MANUAL, title="Call Dana", due_on=date(2024, 6, 10)
    )
    Task.objects.filter(pk=task.pk).update(
        created_at=at("2024-06-07T08:00:00Z"),
        closed_at=at("2024-06-08T16:00:00Z"),
        closed_by=csm,
        close_note="Done",
    )
    entry = TimelineEntry.objects.create(
        account=account, author=csm, kind="call", occurred_on=date(2024, 6, 9), text="Talked about the export"
    )
    entry.contacts.set([contact])
    return account


def test_every_source_in_order_latest_first(history: Account, csm: User) -> None:
    timeline = account_timeline(account_id=history.pk, today=TODAY)
    lines = [(event.day, event.source, event.kind) for event in timeline.events]
    assert lines == [
        (date(2024, 6, 9), "logged", "call"),
        (date(2024, 6, 8), "task", "closed"),
        (date(2024, 6, 7), "task", "opened"),
        (date(2024, 6, 6), "answer", "nps"),
        (date(2024, 6, 5), "health", "yellow"),
        (date(2024, 6, 4), "ticket", "high"),
        (date(2024, 6, 3), "health", "red"),
        (date(2024, 5, 1), "subscription", "ended"),
        (date(2024, 4, 1), "subscription", "changed"),
        (date(2024, 2, 1), "subscription", "started"),
        (date(2024, 1, 1), "subscription", "started"),
    ]
    assert not timeline.more
    by = {(event.source, event.kind): event.data for event in timeline.events}
    assert by[("logged", "call")] == {
        "text": "Talked about the export",
        "author": csm.name,
        "contacts": "Dana Buyer",
    }
    assert by[("health", "red")] == {"before": "green", "score": 20.0}
    assert by[("health", "yellow")]["before"] == "red"
    assert by[("subscription", "changed")]["before_mrr"] == Decimal(100)
    assert by[("subscription", "changed")]["mrr"] == Decimal(200)
    assert by[("subscription", "ended")]["mrr"] == Decimal("100")
    assert by[("answer", "nps")]["score"] == 3 and by[("answer", "nps")]["who"] == "Dana Buyer"
    assert by[("task", "closed")]["note"] == "Done"


def test_a_limit_shows_the_latest_and_says_there_is_more(history: Account) -> None:
    timeline = account_timeline(account_id=history.pk, today=TODAY, limit=3)
    assert [event.source for event in timeline.events] == ["logged", "task", "task"]
    assert timeline.more
    assert len(account_timeline(account_id=history.pk, today=date(2024, 6, 5), limit=100).events) == 7


def test_the_360_words_the_timeline(client: Client, history: Account, csm: User) -> None:
    client.force_login(csm)
    page = client.get(reverse("account_detail", args=[history.pk])).content.decode()
    assert "Talked about the export" in page
    assert "Health turned" in page and "Ticket opened: Export fails" in page
    assert "changed from $100.00 to $200.00/month" in page
    assert "Task closed: Call Dana" in page
    assert 'id="timeline-log"' in page


def test_a_call_logged_on_the_360_is_on_its_timeline(client: Client, own_account: Account, csm: User) -> None:
    client.force_login(csm)
    contact = own_account.contacts.get()
    today = timezone.localdate()
    response = client.post(
        reverse("timeline_entry_new", args=[own_account.pk]),
        {"kind": "call", "occurred_on": today.isoformat(), "text": "Renewal talk", "contacts": [contact.pk]},
    )
    assert response.status_code == 302 and response["Location"].endswith("#timeline")
    entry = TimelineEntry.objects.get()
    assert (entry.author, entry.kind, entry.occurred_on, list(entry.contacts.all())) == (
        csm,
        "call",
        today,
        [contact],
    )
    page = client.get(reverse("account_detail", args=[own_account.pk])).content.decode()
    assert "Renewal talk" in page and "Hana Harbor" in page


def test_a_bad_entry_is_shown_again_with_its_errors_and_changes_nothing(
    client: Client, own_account: Account, other_account: Account, csm: User
) -> None:
    client.force_login(csm)
    foreign = other_account.contacts.get()
    response = client.post(
        reverse("timeline_entry_new", args=[own_account.pk]),
        {"kind": "call", "occurred_on": "2999-01-01", "text": "Kept text", "contacts": [foreign.pk]},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Kept text" in page and "not one of the available choices" in page
    response = client.post(
        reverse("timeline_entry_new", args=[own_account.pk]),
        {"kind": "call", "occurred_on": "2999-01-01", "text": "Kept text"},
    )
    assert response.status_code == 400 and "Log what has happened" in response.content.decode()
    assert not TimelineEntry.objects.exists()


def test_only_the_author_changes_an_entry(own_account: Account, csm: User, vp: User) -> None:
    from django.core.exceptions import PermissionDenied

    from accounts.services import timeline_entry_update

    entry = timeline_entry_create(
        account=own_account, author=csm, kind="note", occurred_on=date(2024, 6, 1), text="First"
    )
    with pytest.raises(PermissionDenied):
        timeline_entry_update(entry=entry, by=vp, kind="note", occurred_on=date(2024, 6, 1), text="Changed")
    timeline_entry_update(entry=entry, by=csm, kind="meeting", occurred_on=date(2024, 6, 2), text=" Changed ")
    entry.refresh_from_db()
    assert (entry.kind, entry.occurred_on, entry.text) == ("meeting", date(2024, 6, 2), "Changed")


def test_an_edit_page_for_the_author(client: Client, own_account: Account, csm: User) -> None:
    entry = timeline_entry_create(
        account=own_account, author=csm, kind="email", occurred_on=date(2024, 6, 1), text="Sent the deck"
    )
    client.force_login(csm)
    url = reverse("timeline_entry_edit", args=[entry.pk])
    assert "Sent the deck" in client.get(url).content.decode()
    response = client.post(url, {"kind": "email", "occurred_on": "2024-06-01", "text": "Sent the deck v2"})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.text == "Sent the deck v2"
    client.post(reverse("timeline_entry_delete", args=[entry.pk]))
    assert not TimelineEntry.objects.exists()


def test_the_day_of_a_stamped_fact_is_the_local_day(settings: object, facts: Facts, csm: User) -> None:
    """A ticket at 02:00 UTC on Jun 5 is Jun 4 in New York (UTC−4)."""
    from django.test import override_settings

    account = facts.account("Late", csm=csm)
    facts.ticket(account, "2024-06-05T02:00:00Z", subject="Late night")
    with override_settings(TIME_ZONE="America/New_York"):
        [event] = account_timeline(account_id=account.pk, today=TODAY).events
    assert event.day == date(2024, 6, 4)
    assert isinstance(event.at, datetime)
