"""The account pages: the list (search, filters, sorts, CSV) and the account 360. They read the latest snapshot and
the account's history with its health, answers, tickets and tasks, so they live on the top floor.

Views are thin: access (`accounts.selectors.accounts_for_user`, `account_page_for_user`), a form, selectors.
"""

from __future__ import annotations

from datetime import timedelta
from typing import cast

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.access import AuthenticatedRequest
from accounts.forms import TimelineEntryForm
from accounts.models import Account
from accounts.selectors import csms_for_filter, segments_for_user
from accounts.spreadsheet import SpreadsheetWriter
from health.forms import SNOOZE_CHOICES
from metrics.forms import AccountFilterForm
from metrics.models import AccountCurrent
from metrics.selectors.account_history import account_charts, account_history
from metrics.selectors.account_list import account_export_rows, account_pages
from metrics.selectors.account_list import account_list as accounts_listed
from metrics.selectors.account_page import account_page_for_user, span_timeline
from metrics.selectors.as_of import account_health_as_of
from metrics.selectors.renewals import next_renewal
from metrics.selectors.timeline import EVENTS_SHOWN, account_timeline

ACCOUNTS_PER_PAGE = 50


def _filter_form(request: AuthenticatedRequest) -> AccountFilterForm:
    user = request.user
    return AccountFilterForm(
        request.GET,
        segments=segments_for_user(user),
        csms=csms_for_filter() if user.is_vp else None,
    )


@login_required
def account_list(request: AuthenticatedRequest) -> HttpResponseBase:
    """Search, filter and sort the accounts `user` may see; MRR, usage and health from the latest snapshot.
    With `format=csv`, every account of that search, filters and sort as CSV (not only the page shown)."""
    form = _filter_form(request)
    filters = form.filters()
    accounts = accounts_listed(user=request.user, **filters)
    if request.GET.get("format") == "csv":
        return _export(accounts)
    pages = account_pages(accounts, filters["sort"])
    page = Paginator(pages, ACCOUNTS_PER_PAGE).get_page(request.GET.get("page"))
    rows = cast(list[Account], list(page.object_list))
    as_of = next((row.current.day for row in rows if _current(row) is not None), None)
    context = {
        "section": "accounts",
        "form": form,
        "page": page,
        "rows": rows,
        "sort": filters["sort"],
        "filtered": any(value for name, value in filters.items() if name != "sort"),
        "as_of": as_of,
        "currency": settings.KEEL_CURRENCY,
    }
    return render(request, "metrics/account_list.html", context)


def _current(account: Account) -> AccountCurrent | None:
    try:
        return account.current
    except AccountCurrent.DoesNotExist:
        return None


class _Echo:
    """The CSV writer's file: each line is handed straight to the streaming response."""

    def write(self, value: str) -> str:
        return value


def _export(accounts: QuerySet[Account]) -> StreamingHttpResponse:
    """Streamed, so 100k accounts never sit in memory; the same scoping as the page (accounts_for_user)."""
    writer = SpreadsheetWriter(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in account_export_rows(accounts)),
        content_type="text/csv; charset=utf-8",
    )
    filename = f"keel-accounts-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def account_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The account 360: today's MRR from the spans, health with its explanation, history from the snapshots
    (health and usage of the last 90 days, MRR at every month-end), renewals, answers, tickets, tasks, contacts,
    and the timeline (logged entries and Keel's own events; `?events=` shows more). With `?as_of=YYYY-MM-DD`, the
    health section is that day's stored score (a 400 when it is not a day)."""
    today = timezone.localdate()
    data = account_page_for_user(request.user, pk, day=today)
    account = data.account
    history = account_history(account_id=account.pk)
    as_of = account_health_as_of(account=account, as_of=request.GET.get("as_of"))
    health = as_of.health
    renewal = next_renewal(data.spans, day=today)
    shown = request.GET.get("events", "")
    events = account_timeline(
        account_id=account.pk, today=today, limit=int(shown) if shown.isdigit() else EVENTS_SHOWN
    )
    context = {
        "section": "accounts",
        "account": account,
        "arr_today": account.current_mrr * 12,  # type: ignore[attr-defined]
        "current": _current(account),
        "tenure": data.tenure_days(getattr(_current(account), "day", None)),
        "data": data,
        "history": history,
        "movements": [month for month in reversed(history.months) if month.movement][:12],
        "spans_chart": span_timeline(data.spans, today=today),
        "events": events,
        "more_events": events.shown + EVENTS_SHOWN,
        "log_form": TimelineEntryForm(  # the contacts the page lists already
            contacts=[(contact.pk, contact.name or contact.email) for contact in data.contacts],
            initial={"occurred_on": today},
        ),
        "snooze_choices": [(today + timedelta(days=days), label) for days, label in SNOOZE_CHOICES],
        "renewal": {"on": renewal[0], "span": renewal[1], "days": (renewal[0] - today).days}
        if renewal
        else None,
        "today": today,
        "currency": settings.KEEL_CURRENCY,
        "health": health,
        "as_of": as_of,
        "charts": account_charts(history, health=health),
    }
    return render(request, "metrics/account_detail.html", context, status=400 if as_of.invalid else 200)
