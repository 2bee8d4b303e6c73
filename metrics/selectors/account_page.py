"""The account page (account 360): the account with its small lists (contacts, spans, tickets, survey answers,
tasks) in one query, and its spans on one time axis."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import CharField, Count, F, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Coalesce, JSONObject, NullIf
from django.http import Http404

from accounts.models import (
    Account,
    Contact,
    Interval,
    Priority,
    SubscriptionSpan,
    SurveyResponse,
    Ticket,
    TicketStatus,
    User,
    span_active_on,
)
from accounts.selectors import accounts_for_user, with_current_mrr
from health.models import Task, TaskState

T = TypeVar("T")
CONTACTS_SHOWN = 50
TICKETS_SHOWN = 15
RESPONSES_SHOWN = 15
TASKS_SHOWN = 10
SPANS_SHOWN = 200


def _stamp(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


@dataclass(frozen=True)
class SpanRow:
    subscription_id: str
    plan: str
    interval: str
    amount: Decimal
    currency: str
    annual_amount: Decimal
    starts_on: date
    ends_on: date | None
    renews_on: date | None
    term: str

    @property
    def mrr(self) -> Decimal:
        """Span MRR (METRICS.md), exact: annual amount / 12."""
        return self.annual_amount / 12

    @property
    def interval_label(self) -> str:
        return Interval(self.interval).label

    def active_on(self, day: date) -> bool:
        return span_active_on(self, day)


@dataclass(frozen=True)
class ContactRow:
    pk: int
    name: str
    email: str
    title: str


@dataclass(frozen=True)
class TicketRow:
    external_id: str
    subject: str
    priority: str
    status: str
    created_at: datetime
    first_response_at: datetime | None
    resolved_at: datetime | None
    replies: int | None

    @property
    def priority_label(self) -> str:
        return Priority(self.priority).label if self.priority in Priority.values else self.priority

    @property
    def status_label(self) -> str:
        return TicketStatus(self.status).label if self.status in TicketStatus.values else self.status


@dataclass(frozen=True)
class ResponseRow:
    kind: str
    score: int
    responded_at: datetime
    comment: str
    contact: str
    survey_id: int | None  # the survey Keel sent, when the answer came from one of its invitations
    survey_name: str

    @property
    def kind_label(self) -> str:
        return self.kind.upper()


@dataclass(frozen=True)
class TaskRow(TaskState):
    pk: int
    kind: str
    title: str
    reason: dict[str, Any]
    due_on: date
    created_at: datetime
    closed_at: datetime | None
    close_note: str
    assignee: str
    assignee_id: int | None
    created_by_id: int | None
    priority: str
    snoozed_until: date | None
    description: str


@dataclass(frozen=True)
class AccountPage:
    """An account with its small lists, read in one query: the newest tickets, answers and tasks, every contact
    and subscription span, and how many tickets, answers and open tasks there are in all."""

    account: Account  # with `csm`, `current` (the latest snapshot, if any) and `current_mrr` (spans, today)
    contacts: list[ContactRow]
    spans: list[SpanRow]
    tickets: list[TicketRow]
    responses: list[ResponseRow]
    tasks: list[TaskRow]
    ticket_count: int
    open_ticket_count: int
    response_count: int
    open_task_count: int
    first_paid_on: date | None = None  # the first day with MRR > 0: tenure counts from it (METRICS.md)

    def tenure_days(self, on: date | None) -> int | None:
        """METRICS.md "Lifecycle stage": days since the first day with MRR, on `on` (the snapshot's day)."""
        if on is None or self.first_paid_on is None or self.first_paid_on > on:
            return None
        return (on - self.first_paid_on).days


# How the values of a list's JSON rows become Python again: by the field's name (JSON has no dates or decimals).
_PARSE: dict[str, Callable[[Any], Any]] = {
    **dict.fromkeys(("created_at", "first_response_at", "resolved_at", "responded_at", "closed_at"), _stamp),
    **dict.fromkeys(("starts_on", "ends_on", "due_on", "snoozed_until", "renews_on"), _day),
    **dict.fromkeys(("amount", "annual_amount"), Decimal),
}


def _json_rows(queryset: QuerySet[Any], limit: int, row: type[Any], **computed: Any) -> ArraySubquery:
    """The first `limit` rows of `queryset` (correlated to the account) as an array of JSON objects with the
    fields of the dataclass `row`: each read from the model's field of its name, or as `computed` says."""
    columns = {field.name: computed.get(field.name, field.name) for field in fields(row)}
    return ArraySubquery(queryset.values(row=JSONObject(**columns))[:limit])


def _parsed(row: type[T], values: list[dict[str, Any]]) -> list[T]:
    return [
        row(**{name: _PARSE[name](value) if name in _PARSE else value for name, value in item.items()})
        for item in values
    ]


def _count(queryset: QuerySet[Any]) -> Coalesce:
    counted = queryset.order_by().values("account").annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _text(name: str) -> Cast:
    """Money and other numerics travel as text inside JSON, so they stay exact Decimals."""
    return Cast(name, output_field=CharField())


def account_page_for_user(user: User, pk: int, *, day: date | None = None) -> AccountPage:
    """The account page's data for `pk`, or Http404 outside `user`'s scope (as `account_get_for_user`). One query
    whatever the account's size: each list is an array subquery of JSON rows."""
    account = OuterRef("pk")
    tickets = Ticket.objects.filter(account=account)
    responses = SurveyResponse.objects.filter(account=account)
    tasks = Task.objects.filter(account=account)
    accounts = with_current_mrr(accounts_for_user(user).select_related("csm", "current"), day=day).annotate(
        contact_rows=_json_rows(
            Contact.objects.filter(account=account).order_by("name", "email"), CONTACTS_SHOWN, ContactRow
        ),
        span_rows=_json_rows(
            SubscriptionSpan.objects.filter(account=account).order_by("-starts_on", "subscription_id"),
            SPANS_SHOWN,
            SpanRow,
            amount=_text("amount"),
            annual_amount=_text("annual_amount"),
        ),
        ticket_rows=_json_rows(tickets.order_by("-created_at", "-pk"), TICKETS_SHOWN, TicketRow),
        response_rows=_json_rows(
            responses.order_by("-responded_at", "-pk"),
            RESPONSES_SHOWN,
            ResponseRow,
            contact=Coalesce(NullIf("contact__name", Value("")), "contact__email", Value("")),
            survey_id="invitation__survey_id",
            survey_name=Coalesce("invitation__survey__name", Value("")),
        ),
        task_rows=_json_rows(
            tasks.order_by(F("closed_at").desc(nulls_first=True), "due_on", "-pk"),
            TASKS_SHOWN,
            TaskRow,
            assignee=Coalesce("assignee__name", Value("")),
        ),
        ticket_count=_count(tickets),
        open_ticket_count=_count(tickets.filter(resolved_at__isnull=True)),
        response_count=_count(responses),
        open_task_count=_count(tasks.filter(closed_at__isnull=True)),
        first_paid_on=Subquery(
            SubscriptionSpan.objects.filter(account=account, amount__gt=0)
            .order_by("starts_on")
            .values("starts_on")[:1]
        ),
    )
    try:
        found: Any = accounts.get(pk=pk)
    except Account.DoesNotExist:
        raise Http404("No such account.") from None
    return AccountPage(
        account=found,
        contacts=_parsed(ContactRow, found.contact_rows),
        spans=_parsed(SpanRow, found.span_rows),
        tickets=_parsed(TicketRow, found.ticket_rows),
        responses=_parsed(ResponseRow, found.response_rows),
        tasks=_parsed(TaskRow, found.task_rows),
        ticket_count=found.ticket_count,
        open_ticket_count=found.open_ticket_count,
        response_count=found.response_count,
        open_task_count=found.open_task_count,
        first_paid_on=found.first_paid_on,
    )


@dataclass(frozen=True)
class TimelineBar:
    span: SpanRow
    left: float  # percent of the timeline's width
    width: float
    state: str  # active, ended or upcoming on the day


def span_timeline(spans: list[SpanRow], *, today: date) -> dict[str, Any]:
    """The subscription spans as bars on one time axis (from the first start to the last end or today), one row
    per subscription, for a timeline drawn in HTML and CSS (no script needed)."""
    if not spans:
        return {"rows": [], "start": None, "end": None}
    start = min(span.starts_on for span in spans)
    end = max([today, *(span.ends_on for span in spans if span.ends_on)])
    length = max(1, (end - start).days)
    rows: dict[str, list[TimelineBar]] = {}
    for span in sorted(spans, key=lambda span: (span.subscription_id, span.starts_on)):
        until = span.ends_on or end
        state = "active" if span.active_on(today) else "upcoming" if span.starts_on > today else "ended"
        left = 100 * (span.starts_on - start).days / length
        width = max(0.6, 100 * (until - span.starts_on).days / length)
        rows.setdefault(span.subscription_id, []).append(
            TimelineBar(span=span, left=round(left, 3), width=round(min(width, 100 - left), 3), state=state)
        )
    return {
        "rows": sorted(rows.items(), key=lambda item: min(bar.span.starts_on for bar in item[1])),
        "start": start,
        "end": end,
        "today": round(100 * (today - start).days / length, 3),
    }
