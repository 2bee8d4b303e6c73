"""The audit log page (admins): every admin change, newest first, filtered by action and by actor."""

from __future__ import annotations

from typing import cast

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import render

from accounts import selectors
from accounts.access import AuthenticatedRequest, admin_required
from accounts.models import AuditEntry

ENTRIES_PER_PAGE = 50


@admin_required
def audit_log(request: AuthenticatedRequest) -> HttpResponse:
    action = request.GET.get("action", "").strip()
    actor = request.GET.get("actor", "").strip()
    page = Paginator(selectors.audit_entries(action=action, actor=actor), ENTRIES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {
        "section": "team",
        "page": page,
        "entries": cast(QuerySet[AuditEntry], page.object_list),
        "action": action,
        "actor": actor,
        "actions": selectors.audit_actions(),
        "members": selectors.team_members(),
        "system_actor": selectors.SYSTEM_ACTOR,
    }
    return render(request, "accounts/audit_log.html", context)
