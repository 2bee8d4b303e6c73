"""The renewal forecast page and its months' renewals. A CSM sees their own book; VPs and admins everyone's, or
one CSM's (`?csm=<id>`). Reads the forecast's stored rows only (metrics.selectors.forecast)."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import render

from accounts.access import AuthenticatedRequest
from accounts.models import User
from accounts.selectors import csms_for_filter
from metrics.models import RenewalDue
from metrics.selectors.forecast import STATUSES, churn_rate, renewal_forecast, renewals_of_month
from metrics.selectors.paging import CountedPage

RENEWALS_PER_PAGE = 100
STATUS_LABELS = {"green": "Green", "yellow": "Yellow", "red": "Red", "": "Unscored"}


def _csm(request: AuthenticatedRequest) -> User | None:
    chosen = request.GET.get("csm", "")
    if not request.user.is_vp or not chosen.isdigit():
        return None
    csm = User.objects.filter(pk=int(chosen)).first()
    if csm is None:
        raise Http404("No such CSM.")
    return csm


def _month(text: str) -> date | None:
    try:
        year, month = (int(part) for part in text.split("-"))
        return date(year, month, 1)
    except ValueError:
        return None


def _page(
    renewals: QuerySet[RenewalDue], count: int, request: AuthenticatedRequest
) -> CountedPage[RenewalDue]:
    """A page of a month's renewals; the month's count comes from the summed rows, so no COUNT over them."""
    pages = max(1, -(-count // RENEWALS_PER_PAGE))
    text = request.GET.get("page", "")
    number = min(max(int(text), 1), pages) if text.isdigit() else 1
    start = (number - 1) * RENEWALS_PER_PAGE
    return CountedPage(list(renewals[start : start + RENEWALS_PER_PAGE]), count, number, RENEWALS_PER_PAGE)


@login_required
def renewal_forecast_page(request: AuthenticatedRequest) -> HttpResponse:
    csm = _csm(request)
    forecast = renewal_forecast(user=request.user, csm=csm)
    month = _month(request.GET.get("month", ""))
    renewals = None
    chosen = None
    if month is not None:
        chosen = next((row for row in forecast.months if row.month == month), None)
        if chosen is not None:
            renewals = _page(
                renewals_of_month(user=request.user, month=month, csm=csm), chosen.count, request
            )
    rates = forecast.rates
    chart = {
        "months": [f"{row.month:%Y-%m}" for row in forecast.months],
        "statuses": [
            {
                "status": status,
                "label": STATUS_LABELS[status],
                "arr": [str(row.by_status[status].arr) for row in forecast.months],
            }
            for status in STATUSES
        ],
        "weighted": [None if row.weighted is None else str(row.weighted) for row in forecast.months],
    }
    context = {
        "section": "renewals",
        "forecast": forecast,
        "statuses": [(status, STATUS_LABELS[status], churn_rate(rates, status)) for status in STATUSES],
        "chart": chart,
        "csm": csm,
        "csms": csms_for_filter() if request.user.is_vp else None,
        "chosen": chosen,
        "renewals": renewals,
        "currency": settings.KEEL_CURRENCY,
    }
    return render(request, "metrics/renewal_forecast.html", context)
