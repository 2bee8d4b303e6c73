"""The account page (account 360): the account with its small lists (contacts, spans, tickets, survey answers,
tasks) in two queries, and its spans on one time axis."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from django.db import connection
from django.http import Http404

from accounts.models import (
    Account,
    Interval,
    Priority,
    TicketStatus,
    User,
    span_active_on,
)
from accounts.selectors import accounts_for_user, with_current_mrr
from health.models import TaskState

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

# Raw SQL: the account's lists, each the first rows of its table as an array of JSON objects named as the fields
# of its row dataclass, and their counts, in one statement by the account's id (the access check is the ORM query
# before it). Measured at 100k accounts: the same statement built with the ORM (ArraySubquery, JSONObject) cost
# some 12 ms a request to compile in Python, against 3 ms for PostgreSQL to run it. Money travels as text, so it
# stays an exact Decimal.
_LISTS = """
SELECT
    ARRAY(SELECT json_build_object('pk', c.id, 'name', c.name, 'email', c.email, 'title', c.title)
          FROM accounts_contact c WHERE c.account_id = %(account)s
          ORDER BY c.name, c.email LIMIT %(contacts)s) AS contacts,
    ARRAY(SELECT json_build_object(
              'subscription_id', s.subscription_id, 'plan', s.plan, 'interval', s.interval,
              'amount', s.amount::text, 'currency', s.currency, 'annual_amount', s.annual_amount::text,
              'starts_on', s.starts_on, 'ends_on', s.ends_on, 'renews_on', s.renews_on, 'term', s.term)
          FROM accounts_subscriptionspan s WHERE s.account_id = %(account)s
          ORDER BY s.starts_on DESC, s.subscription_id LIMIT %(spans)s) AS spans,
    ARRAY(SELECT json_build_object(
              'external_id', t.external_id, 'subject', t.subject, 'priority', t.priority, 'status', t.status,
              'created_at', t.created_at, 'first_response_at', t.first_response_at,
              'resolved_at', t.resolved_at, 'replies', t.replies)
          FROM accounts_ticket t WHERE t.account_id = %(account)s
          ORDER BY t.created_at DESC, t.id DESC LIMIT %(tickets)s) AS tickets,
    ARRAY(SELECT json_build_object(
              'kind', r.kind, 'score', r.score, 'responded_at', r.responded_at, 'comment', r.comment,
              'contact', COALESCE(NULLIF(c.name, ''), c.email, ''), 'survey_id', i.survey_id,
              'survey_name', COALESCE(v.name, ''))
          FROM accounts_surveyresponse r
          LEFT JOIN accounts_contact c ON c.id = r.contact_id
          LEFT JOIN surveys_invitation i ON i.response_id = r.id
          LEFT JOIN surveys_survey v ON v.id = i.survey_id
          WHERE r.account_id = %(account)s
          ORDER BY r.responded_at DESC, r.id DESC LIMIT %(responses)s) AS responses,
    ARRAY(SELECT json_build_object(
              'pk', k.id, 'kind', k.kind, 'title', k.title, 'reason', k.reason, 'due_on', k.due_on,
              'created_at', k.created_at, 'closed_at', k.closed_at, 'close_note', k.close_note,
              'assignee', COALESCE(u.name, ''), 'assignee_id', k.assignee_id, 'created_by_id', k.created_by_id,
              'priority', k.priority, 'snoozed_until', k.snoozed_until, 'description', k.description)
          FROM health_task k LEFT JOIN accounts_user u ON u.id = k.assignee_id
          WHERE k.account_id = %(account)s
          ORDER BY k.closed_at DESC NULLS FIRST, k.due_on, k.id DESC LIMIT %(tasks)s) AS tasks,
    (SELECT COUNT(*) FROM accounts_ticket t WHERE t.account_id = %(account)s) AS ticket_count,
    (SELECT COUNT(*) FROM accounts_ticket t
     WHERE t.account_id = %(account)s AND t.resolved_at IS NULL) AS open_ticket_count,
    (SELECT COUNT(*) FROM accounts_surveyresponse r WHERE r.account_id = %(account)s) AS response_count,
    (SELECT COUNT(*) FROM health_task k WHERE k.account_id = %(account)s AND k.closed_at IS NULL) AS open_task_count,
    (SELECT MIN(s.starts_on) FROM accounts_subscriptionspan s
     WHERE s.account_id = %(account)s AND s.amount > 0) AS first_paid_on
"""


def _parsed(row: type[T], values: list[Any]) -> list[T]:
    items = (json.loads(item) if isinstance(item, str) else item for item in values)
    return [
        row(**{name: _PARSE[name](value) if name in _PARSE else value for name, value in item.items()})
        for item in items
    ]


def account_page_for_user(user: User, pk: int, *, day: date | None = None) -> AccountPage:
    """The account page's data for `pk`, or Http404 outside `user`'s scope (as `account_get_for_user`). Two
    queries whatever the account's size: the account, then its lists (`_LISTS`)."""
    try:
        account: Any = with_current_mrr(
            accounts_for_user(user).select_related("csm", "current"), day=day
        ).get(pk=pk)
    except Account.DoesNotExist:
        raise Http404("No such account.") from None
    limits = {
        "contacts": CONTACTS_SHOWN,
        "spans": SPANS_SHOWN,
        "tickets": TICKETS_SHOWN,
        "responses": RESPONSES_SHOWN,
        "tasks": TASKS_SHOWN,
    }
    with connection.cursor() as cursor:
        cursor.execute(_LISTS, {"account": account.pk, **limits})
        contacts, spans, tickets, responses, tasks, *counts, first_paid_on = cursor.fetchone()
    ticket_count, open_ticket_count, response_count, open_task_count = counts
    return AccountPage(
        account=account,
        contacts=_parsed(ContactRow, contacts),
        spans=_parsed(SpanRow, spans),
        tickets=_parsed(TicketRow, tickets),
        responses=_parsed(ResponseRow, responses),
        tasks=_parsed(TaskRow, tasks),
        ticket_count=ticket_count,
        open_ticket_count=open_ticket_count,
        response_count=response_count,
        open_task_count=open_task_count,
        first_paid_on=first_paid_on,
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
