"""Erasure (GDPR): an admin erases an account, or a contact, with everything Keel holds of it, in one
transaction, and leaves an audit entry with what was erased (counts and the external id, no personal data).

Each floor deletes its own rows (accounts.services.erasure, health.services.erasure, surveys.services.erasure);
metrics, the top floor, runs them together, deletes its snapshot rows of the account and recomputes the days the
account was in through the pipeline's plan (snapshot_job_enqueue once the erasure commits; the `erase_account`
command computes them in its process instead), so every company figure reads as if the account never was.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Min, QuerySet
from django.utils import timezone

from accounts.models import Account, Contact, SubscriptionSpan, SurveyResponse, Ticket, UsageEvent, User
from accounts.services.audit import audit_record
from accounts.services.erasure import account_facts_erase, contact_facts_erase
from health.services.erasure import health_rows_erase
from metrics.models import (
    AccountCurrent,
    AccountDay,
    ComputedDay,
    FirstEventDay,
    PreviewRow,
    RenewalDue,
    SnapshotJob,
    UsageAccountDay,
    UsageEventDay,
    UsageUserDay,
)
from metrics.services.pipeline import snapshot_job_enqueue
from surveys.services.erasure import survey_rows_erase

ERASURE_REASON = "erasure"
Recompute = Literal["queue", "caller"]


@dataclass(frozen=True)
class Erasure:
    """What an erasure did: the counts of rows it deleted by kind, and the days whose snapshots it recomputes
    (start…end, None when the account was in no snapshot), with the job that does it when queued."""

    kind: str
    external_id: str
    counts: dict[str, int]
    start: date | None
    end: date | None
    job: SnapshotJob | None

    def describe(self) -> str:
        rows = ", ".join(f"{n} {name}" for name, n in sorted(self.counts.items()))
        days = f"; snapshots {self.start} … {self.end} recomputed" if self.start else ""
        return f"Erased {self.kind} {self.external_id}: {rows or 'nothing else'}{days}."


def _check_admin(by: User | None) -> None:
    if by is not None and not (by.is_active and by.is_admin):
        raise ValidationError("Only admins erase accounts and contacts.")


def _add(counts: dict[str, int], more: dict[str, int]) -> None:
    for name, n in more.items():
        counts[name] = counts.get(name, 0) + n


def _days_touched(account_id: int, *, contact: Contact | None = None) -> tuple[date | None, date | None]:
    """The computed days whose snapshots an erasure changes: from the first day the account (or, for a
    contact, its usage and answers) shows in the facts or the snapshots, to the last computed day."""
    computed = ComputedDay.objects.aggregate(first=Min("day"), last=Max("day"))
    if computed["last"] is None:
        return None, None
    if contact is None:
        firsts = [
            AccountDay.objects.filter(account_id=account_id).aggregate(d=Min("day"))["d"],
            SubscriptionSpan.objects.filter(account_id=account_id).aggregate(d=Min("starts_on"))["d"],
            _first_day(UsageEvent.objects.filter(account_id=account_id), "occurred_at"),
            _first_day(Ticket.objects.filter(account_id=account_id), "created_at"),
            _first_day(SurveyResponse.objects.filter(account_id=account_id), "responded_at"),
        ]
    else:
        firsts = [
            _first_day(
                UsageEvent.objects.filter(account_id=account_id, user_id=contact.external_id), "occurred_at"
            ),
            _first_day(SurveyResponse.objects.filter(contact=contact), "responded_at"),
        ]
    known = [day for day in firsts if day is not None]
    if not known:
        return None, None
    start = max(min(known).replace(day=1), computed["first"])
    return (start, computed["last"]) if start <= computed["last"] else (None, None)


def _first_day(rows: QuerySet[Any], column: str) -> date | None:
    first = rows.aggregate(at=Min(column))["at"]
    return timezone.localdate(first) if first is not None else None


def _snapshot_rows_erase(*, account_id: int) -> dict[str, int]:
    """The account's rows in every snapshot table (the pipeline's recompute then rewrites the company's)."""
    counts: dict[str, int] = {}
    for model in (
        AccountDay,
        AccountCurrent,
        PreviewRow,
        RenewalDue,
        UsageUserDay,
        UsageAccountDay,
        UsageEventDay,
        FirstEventDay,
    ):
        n = model._default_manager.filter(account_id=account_id).delete()[0]
        if n:
            counts[model._meta.model_name or model.__name__] = n
    return counts


def _recompute(
    start: date | None, end: date | None, *, how: Recompute, by: User | None
) -> SnapshotJob | None:
    if start is None or end is None or how != "queue":
        return None
    return snapshot_job_enqueue(start=start, end=end, reason=ERASURE_REASON, by=by)


def account_erase(*, account: Account, by: User | None, recompute: Recompute = "queue") -> Erasure:
    """Erase `account` and everything that belongs to it (see each floor's function), in one transaction with
    its audit entry; its snapshots' days are recomputed once it commits (`recompute="caller"`: the caller runs
    snapshot_compute over start…end after the commit, as the command does). `by` None: Keel's command line."""
    _check_admin(by)
    with transaction.atomic():
        locked = Account.objects.select_for_update().filter(pk=account.pk).first()
        if locked is None:
            raise ValidationError("This account was erased already.")
        start, end = _days_touched(locked.pk)
        contact_ids = list(Contact.objects.filter(account=locked).values_list("pk", flat=True))
        response_ids = list(SurveyResponse.objects.filter(account=locked).values_list("pk", flat=True))
        counts: dict[str, int] = {}
        _add(counts, _snapshot_rows_erase(account_id=locked.pk))
        _add(counts, health_rows_erase(account_id=locked.pk, response_ids=response_ids))
        _add(counts, survey_rows_erase(contact_ids=contact_ids, account_id=locked.pk))
        _add(counts, account_facts_erase(account=locked))
        audit_record(
            actor=by,
            action="account.erase",
            target_type="account",
            target_id=locked.external_id,
            target_label=locked.external_id,
            detail={"deleted": counts, "recomputed": [str(start), str(end)] if start else None},
        )
        job = _recompute(start, end, how=recompute, by=by)
    return Erasure("account", locked.external_id, counts, start, end, job)


def contact_erase(*, contact: Contact, by: User | None, recompute: Recompute = "queue") -> Erasure:
    """Erase `contact`: its survey answers (and their follow-up tasks), invitations and opt-outs, its links to
    timeline entries, the usage and Segment data of the product user with its external id, and the contact,
    in one transaction with its audit entry; the days its answers and usage counted in are recomputed."""
    _check_admin(by)
    with transaction.atomic():
        locked = Contact.objects.select_for_update().filter(pk=contact.pk).first()
        if locked is None:
            raise ValidationError("This contact was erased already.")
        start, end = _days_touched(locked.account_id, contact=locked)
        response_ids = list(SurveyResponse.objects.filter(contact=locked).values_list("pk", flat=True))
        counts: dict[str, int] = {}
        _add(counts, health_rows_erase(response_ids=response_ids))
        _add(counts, survey_rows_erase(contact_ids=[locked.pk]))
        _add(counts, contact_facts_erase(contact=locked))
        account = Account.objects.get(pk=locked.account_id)
        audit_record(
            actor=by,
            action="contact.erase",
            target_type="contact",
            target_id=locked.external_id,
            target_label=f"{locked.external_id} of {account.external_id}",
            detail={"deleted": counts, "recomputed": [str(start), str(end)] if start else None},
        )
        job = _recompute(start, end, how=recompute, by=by)
    return Erasure("contact", locked.external_id, counts, start, end, job)
