"""Writes of the timeline's logged entries: log one, change or delete your own. Who may see the account is decided
by the caller (`accounts.selectors.account_get_for_user`); who may change an entry is decided here."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Account, Contact, TimelineEntry, User

MAX_TEXT = 10_000
EARLIEST = date(2000, 1, 1)


def _checked(
    *, account: Account, kind: str, occurred_on: date, text: str, contact_ids: Iterable[int]
) -> tuple[str, list[Contact]]:
    """The entry's text stripped and its contacts, or a ValidationError naming each field and why."""
    errors: dict[str, str] = {}
    text = text.strip()
    if kind not in TimelineEntry.Kind.values:
        errors["kind"] = f"One of {', '.join(TimelineEntry.Kind.values)}."
    if not text:
        errors["text"] = "Say what happened."
    elif len(text) > MAX_TEXT:
        errors["text"] = f"At most {MAX_TEXT:,} characters."
    today = timezone.localdate()
    if occurred_on > today:
        errors["occurred_on"] = "Log what has happened: today or a day before (plan ahead with a task)."
    elif occurred_on < EARLIEST:
        errors["occurred_on"] = f"On or after {EARLIEST:%Y-%m-%d}."
    wanted = set(contact_ids)
    contacts = list(Contact.objects.filter(account=account, pk__in=wanted))
    if len(contacts) != len(wanted):
        errors["contacts"] = "Only contacts of this account."
    if errors:
        raise ValidationError(errors)
    return text, contacts


@transaction.atomic
def timeline_entry_create(
    *,
    account: Account,
    author: User,
    kind: str,
    occurred_on: date,
    text: str,
    contact_ids: Iterable[int] = (),
) -> TimelineEntry:
    """Log a note, call, meeting or email with `account`, by `author`, with the account's contacts involved."""
    text, contacts = _checked(
        account=account, kind=kind, occurred_on=occurred_on, text=text, contact_ids=contact_ids
    )
    entry = TimelineEntry.objects.create(
        account=account, author=author, kind=kind, occurred_on=occurred_on, text=text
    )
    entry.contacts.set(contacts)
    return entry


def _own(entry: TimelineEntry, by: User) -> None:
    if entry.author_id != by.pk:
        raise PermissionDenied("Only its author changes a timeline entry.")


@transaction.atomic
def timeline_entry_update(
    *,
    entry: TimelineEntry,
    by: User,
    kind: str,
    occurred_on: date,
    text: str,
    contact_ids: Iterable[int] = (),
) -> TimelineEntry:
    """Change `entry`; only its author may (PermissionDenied otherwise)."""
    _own(entry, by)
    text, contacts = _checked(
        account=entry.account, kind=kind, occurred_on=occurred_on, text=text, contact_ids=contact_ids
    )
    entry.kind, entry.occurred_on, entry.text = kind, occurred_on, text
    entry.save(update_fields=["kind", "occurred_on", "text", "updated_at"])
    entry.contacts.set(contacts)
    return entry


def timeline_entry_delete(*, entry: TimelineEntry, by: User) -> None:
    """Delete `entry`; only its author may (PermissionDenied otherwise)."""
    _own(entry, by)
    entry.delete()
