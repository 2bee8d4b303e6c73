"""Renewals coming up (METRICS.md "Dashboard figures": term ends from d+1 to d+90 of the spans active on d, with
the subscription's ARR), for a CSM's dashboard and an account's page. Term ends are worked out as for
`renewals_due`: t = starts_on + k × interval in calendar months from the span's own start, a day past the target
month's end clamped to its last day, due when the span is still active on t − 1 day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Q

from accounts.models import Interval, SubscriptionSpan, User, span_active_on, spans_active_on
from accounts.terms import TERM_MONTHS, term_ends

RENEWAL_DAYS = 90


@dataclass(frozen=True)
class Renewal:
    account_id: int
    account_name: str
    subscription_id: str
    interval: str  # its label: Yearly, Quarterly
    on: date
    arr: Decimal  # the subscription's ARR on d: its active span's annual amount
    # The account's health in the latest snapshot (AccountCurrent); None and "" when it has no row or no score.
    score: float | None
    status: str
    at_risk: bool


@dataclass(frozen=True)
class _Span:
    starts_on: date
    ends_on: date | None
    interval: str
    renews_on: date | None
    term: str


def renewals_upcoming(*, csm: User, day: date, days: int = RENEWAL_DAYS) -> list[Renewal]:
    """Renewals of `csm`'s accounts due from day + 1 to day + `days`, soonest first, with the account's health.
    One query over the spans active on `day` that renew, as plain rows (a book has a few hundred)."""
    until = day + timedelta(days=days)
    spans = SubscriptionSpan.objects.filter(
        spans_active_on(day),
        Q(interval__in=list(TERM_MONTHS)) | ~Q(term=""),
        account__csm=csm,
    ).values_list(
        "account_id",
        "account__name",
        "subscription_id",
        "interval",
        "annual_amount",
        "starts_on",
        "ends_on",
        "renews_on",
        "term",
        "account__current__score",
        "account__current__status",
        "account__current__at_risk",
    )
    labels = dict(Interval.choices)
    renewals = [
        Renewal(
            account_id=account_id,
            account_name=name,
            subscription_id=subscription_id,
            interval=str(labels.get(interval, interval)),
            on=on,
            arr=annual_amount,
            score=score,
            status=status or "",
            at_risk=bool(at_risk),
        )
        for (
            account_id,
            name,
            subscription_id,
            interval,
            annual_amount,
            starts_on,
            ends_on,
            renews_on,
            term,
            score,
            status,
            at_risk,
        ) in spans
        for on in term_ends(_Span(starts_on, ends_on, interval, renews_on, term), after=day, until=until)
    ]
    renewals.sort(key=lambda renewal: (renewal.on, renewal.account_name.lower(), renewal.subscription_id))
    return renewals


def next_renewal(spans: list[Any], *, day: date) -> tuple[date, Any] | None:
    """The first term end after `day` of the spans active on `day` (any horizon: a year at most), and its span."""
    found = [
        (end, span)
        for span in spans
        if span_active_on(span, day)
        for end in term_ends(span, after=day, until=day + timedelta(days=400))[:1]
    ]
    return min(found, key=lambda item: item[0], default=None)
