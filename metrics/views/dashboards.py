"""Pages of the metrics app: the company dashboard (VPs and admins), a CSM's dashboard, and the drill-down that
lists the accounts behind a figure. They read snapshots only (metrics.selectors), so their cost does not grow
with the base.

Access: `vp_required` for the company's figures, `csm_get_for_user` for a CSM's book (another CSM's is a 404).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.access import AuthenticatedRequest, vp_required
from accounts.models import Account, User
from metrics.models import Scope
from metrics.selectors.dashboards import (
    Dashboard,
    accounts_at_risk,
    bridge_rows,
    chart_series,
    company_dashboard,
    computed_months,
    csm_book_dashboard,
    csm_get_for_user,
    first_run_days,
    month_range,
    parse_month,
    snapshot_days,
    tasks_open,
)
from metrics.selectors.drilldown import MOVEMENTS, Group, NoSnapshot, drilldown
from metrics.selectors.figures import FEATURE_ADOPTION, FIGURES
from metrics.selectors.jobs import dashboard_job_latest
from metrics.selectors.nps_drilldown import nps_drilldown
from metrics.selectors.renewals import RENEWAL_DAYS, renewals_upcoming


def _context(dashboard: Dashboard, **extra: Any) -> dict[str, Any]:
    empty = dashboard.month is None
    return {
        "dashboard": dashboard,
        "months": dashboard.range,
        "charts": chart_series(dashboard.series, dashboard.range.in_progress),
        "bridge_rows": bridge_rows(dashboard.series),
        "figures": FIGURES,
        "adoption_formula": FEATURE_ADOPTION,
        "currency": settings.KEEL_CURRENCY,
        # An empty page says what to do: load data first, or compute the snapshots (a button for admins).
        "no_data": empty and not Account.objects.exists(),
        "first_run": first_run_days() if empty else None,
        # A computation an admin queued, while the range lacks months (a complete range costs no query for it).
        "job": dashboard_job_latest() if empty or dashboard.range.missing else None,
        **extra,
    }


@vp_required
def company(request: AuthenticatedRequest) -> HttpResponse:
    months = month_range(start=request.GET.get("from"), end=request.GET.get("to"), computed=computed_months())
    dashboard = company_dashboard(months=months)
    return render(request, "metrics/company.html", _context(dashboard, section="company", drill_query=""))


@login_required
def my_dashboard(request: AuthenticatedRequest) -> HttpResponse:
    """A CSM's own dashboard; for VPs and admins, the list of CSM dashboards."""
    if request.user.is_vp:
        months = month_range(start=None, end=request.GET.get("to"), computed=computed_months())
        dashboard = company_dashboard(months=months)
        return render(request, "metrics/csm_index.html", _context(dashboard, section="csms"))
    return _csm_page(request, request.user)


@login_required
def csm_dashboard(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _csm_page(request, csm_get_for_user(request.user, pk))


def _csm_page(request: AuthenticatedRequest, csm: User) -> HttpResponse:
    months = month_range(start=request.GET.get("from"), end=request.GET.get("to"), computed=computed_months())
    dashboard = csm_book_dashboard(csm=csm, months=months)
    at_risk, at_risk_count = accounts_at_risk(csm=csm)
    tasks, task_count = tasks_open(csm=csm)
    today = timezone.localdate()
    context = _context(
        dashboard,
        section="csms" if request.user.is_vp else "mine",
        csm=csm,
        own=csm == request.user,
        drill_query=f"?csm={csm.pk}",
        at_risk=at_risk,
        at_risk_count=at_risk_count,
        renewals=renewals_upcoming(csm=csm, day=today),
        renewals_from=today + timedelta(days=1),
        renewals_until=today + timedelta(days=RENEWAL_DAYS),
        tasks=tasks,
        task_count=task_count,
        today=today,
    )
    return render(request, "metrics/csm.html", context)


def _group(user: User, query: Any) -> tuple[Group, User | None]:
    """The group a drill-down lists, and its CSM: `csm=<id>` (or `none`), `segment=<name>` (empty: no segment),
    or the company. A CSM may open their own book only: the company, a segment or the unowned accounts are a
    403, another CSM's book a 404 (as their dashboard)."""
    if "csm" in query:
        value = query["csm"]
        if value == "none":
            if not user.is_vp:
                raise PermissionDenied
            return Group(Scope.CSM), None
        if not value.isdigit():
            raise Http404("No such CSM.")
        csm = csm_get_for_user(user, int(value))
        return Group(Scope.CSM, csm_id=csm.pk), csm
    if not user.is_vp:
        raise PermissionDenied
    if "segment" in query:
        return Group(Scope.SEGMENT, segment=query["segment"] or None), None
    return Group(Scope.COMPANY), None


@login_required
def drilldown_page(request: AuthenticatedRequest, figure: str, month: str) -> HttpResponse:
    movement = MOVEMENTS.get(figure)
    first_day = parse_month(month)
    if movement is None or first_day is None:
        raise Http404("No such figure or month.")
    group, csm = _group(request.user, request.GET)
    page = request.GET.get("page", "1")
    context: dict[str, Any] = {
        "csm": csm,
        "section": "company" if request.user.is_vp else "mine",
        "movement": movement,
        "month": first_day,
        "group": group,
        "currency": settings.KEEL_CURRENCY,
    }
    number = int(page) if page.isdigit() else 1
    try:
        if movement.rate == "nps":
            context["drill"] = nps_drilldown(month=first_day, group=group, viewer=request.user, page=number)
        else:
            context["drill"] = drilldown(
                movement=movement, month=first_day, group=group, viewer=request.user, page=number
            )
    except NoSnapshot:
        context["missing_days"] = snapshot_days([first_day])
        context["job"] = dashboard_job_latest()
    return render(request, "metrics/drilldown.html", context)
