"""Snapshot jobs from the pages: an admin queues the months a dashboard lacks (nobody is told to run a command),
and the pages follow a job's progress (the dashboards' missing months, the Health page's recompute).

Views are thin: access, the form, one service or selector.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from accounts.access import AuthenticatedRequest, admin_required
from metrics.forms import SnapshotQueueForm
from metrics.models import SnapshotJob
from metrics.selectors.jobs import DASHBOARD_REASON, snapshot_job_fields
from metrics.services.pipeline import SnapshotRangeError, snapshot_job_enqueue


@admin_required
@require_POST
def snapshot_queue(request: AuthenticatedRequest) -> HttpResponseBase:
    """Queue the snapshots of `from`…`to` (days), then back to the page that asked (`next`, on this site only)."""
    form = SnapshotQueueForm(request.POST)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = "home"
    if not form.is_valid():
        messages.error(request, "Nothing was queued: " + " ".join(form.errors_in_words()))
        return redirect(back)
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    try:
        snapshot_job_enqueue(start=start, end=end, reason=DASHBOARD_REASON, by=request.user)
    except SnapshotRangeError as error:
        messages.error(request, f"Nothing was queued: {error}")
    else:
        messages.info(
            request, f"Computing the snapshots of {start} … {end}; the months appear when it is done."
        )
    return redirect(back)


@admin_required
@require_GET
def snapshot_job(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """A job's progress, for the scripts of the pages that follow it."""
    return JsonResponse(snapshot_job_fields(get_object_or_404(SnapshotJob, pk=pk)))
