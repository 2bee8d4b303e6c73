"""The demo's logged work: the calls, meetings, emails and notes its CSMs wrote on their accounts' timelines in the
last weeks, so that a 360 shows a timeline with people in it. Deterministic for a seed; made once, on a new demo."""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.db import transaction

from accounts.models import Account, Contact, TimelineEntry

LOGGED_SHARE = 0.6  # of the accounts with a CSM
LOGGED_DAYS = 75  # entries fall in the days before today
MAX_ENTRIES = 4

TEXTS = {
    "call": (
        "Quarterly check-in. Usage is steady; they asked about the reporting add-on and SSO.",
        "Called about the drop in logins: their champion is on leave until next month.",
        "Renewal call. Budget is tight this year; they want a case for the price before committing.",
        "Walked the new admin through the setup. Two teams still use spreadsheets for the same work.",
        "Escalation follow-up: the export bug is fixed, they confirmed the nightly file arrives again.",
    ),
    "meeting": (
        "Business review with their VP Ops: goals for next quarter are onboarding two more regions.",
        "Onboarding workshop, 6 people. Agreed on a 30-day plan and a weekly touchpoint.",
        "Executive sponsor meeting. They are evaluating a competitor for one department.",
    ),
    "email": (
        "Sent the usage summary for last month and the link to the training videos.",
        "Shared the roadmap for the integrations they asked about; waiting for a reply.",
        "Introduced their new admin to support; sent the admin guide.",
    ),
    "note": (
        "Champion moved to another company. Need a new contact in the ops team.",
        "They mentioned a possible expansion to the finance team in Q3.",
        "Invoice dispute settled with billing; no impact on the renewal expected.",
    ),
}
KINDS = ("call", "call", "meeting", "email", "email", "note")


@transaction.atomic
def demo_activity_seed(*, seed: int, today: date) -> int:
    """Timeline entries by the accounts' CSMs on LOGGED_SHARE of the accounts, 1 to MAX_ENTRIES each in the
    LOGGED_DAYS before `today`, with one of the account's contacts on calls and meetings. Returns how many."""
    rng = random.Random(f"activity-{seed}")
    accounts = list(Account.objects.filter(csm__isnull=False).order_by("pk").values_list("pk", "csm_id"))
    contacts: dict[int, list[int]] = {}
    for contact_id, account_id in Contact.objects.order_by("pk").values_list("pk", "account_id"):
        contacts.setdefault(account_id, []).append(contact_id)
    entries: list[TimelineEntry] = []
    involved: list[tuple[int, int]] = []  # (index of the entry, contact)
    for account_id, csm_id in accounts:
        if rng.random() >= LOGGED_SHARE:
            continue
        for _ in range(rng.randint(1, MAX_ENTRIES)):
            kind = rng.choice(KINDS)
            entries.append(
                TimelineEntry(
                    account_id=account_id,
                    author_id=csm_id,
                    kind=kind,
                    occurred_on=today - timedelta(days=rng.randint(0, LOGGED_DAYS)),
                    text=rng.choice(TEXTS[kind]),
                )
            )
            if kind in ("call", "meeting") and contacts.get(account_id):
                involved.append((len(entries) - 1, rng.choice(contacts[account_id])))
    TimelineEntry.objects.bulk_create(entries, batch_size=2000)
    links = TimelineEntry.contacts.through
    links.objects.bulk_create(
        [links(timelineentry_id=entries[index].pk, contact_id=contact) for index, contact in involved],
        batch_size=2000,
    )
    return len(entries)
