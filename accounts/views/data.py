"""The Data page (admins): upload a bundle (imported by a Celery task), follow an import run, see recent ones.

Views are thin: they check access (`accounts.access`), validate a form and call one selector or service.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from accounts import selectors
from accounts.access import AuthenticatedRequest, admin_required
from accounts.forms import BundleUploadForm
from accounts.importers.progress import import_run_fields
from accounts.importers.uploads import bundle_upload_queue
from accounts.models import ImportRun


@admin_required
def data(request: AuthenticatedRequest) -> HttpResponse:
    """Upload a bundle (imported by a Celery task: the run's page follows it), see recent imports."""
    form = BundleUploadForm(request.POST, request.FILES) if request.method == "POST" else BundleUploadForm()
    if form.is_bound and form.is_valid():
        run = bundle_upload_queue(
            upload=form.cleaned_data["bundle"], dry_run=form.cleaned_data["dry_run"], user=request.user
        )
        return redirect("import_run_detail", pk=run.pk)
    context = {
        "section": "data",
        "form": form,
        "runs": selectors.import_runs_recent(),
        "max_upload": settings.KEEL_MAX_UPLOAD_BYTES,
    }
    return render(request, "accounts/data.html", context, status=400 if form.errors else 200)


@admin_required
def import_run_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """A run's report; while it is queued or running, how far it has read."""
    run = get_object_or_404(ImportRun.objects.select_related("user"), pk=pk)
    context = {"section": "data", "run": run, "progress": import_run_fields(run)}
    return render(request, "accounts/import_run.html", context)


@admin_required
@require_GET
def import_run_progress(request: AuthenticatedRequest, pk: int) -> JsonResponse:
    """How far a run has read, for the run page's script."""
    return JsonResponse(import_run_fields(get_object_or_404(ImportRun, pk=pk)))
