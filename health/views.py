"""Pages of the health app: the Health model page (admins) and the Tasks page (everyone, scoped).

Views are thin: access (`accounts.access`, `health.selectors.task_get_for_user`), a form, one service or
selector.
"""

from __future__ import annotations

from typing import cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from accounts.access import AuthenticatedRequest, admin_required
from accounts.selectors import csms_for_filter
from health import selectors
from health.forms import HealthModelForm, TaskCloseForm, TaskFilterForm
from health.models import HealthModel, Status, Task
from health.selectors.tasks import UNASSIGNED
from health.selectors.versions import RECOMPUTE_REASON, health_model_versions, health_recompute_latest
from health.services import (
    health_model_active,
    health_model_parameters_changed,
    health_model_save,
    health_model_validate,
    task_close,
)
from health.services.tasks import MAX_NOTE
from metrics.models import SnapshotJob
from metrics.services.pipeline import SnapshotRangeError
from metrics.tasks import snapshot_job_enqueue

TASKS_PER_PAGE = 50


@admin_required
def health_model(request: AuthenticatedRequest) -> HttpResponse:
    """Edit the model as a draft, preview it against the active one, save it as a new version."""
    versions = health_model_versions()
    active = next((version for version in versions if version.is_active), None) or health_model_active()
    if request.method == "POST":
        form = HealthModelForm(request.POST)
    else:
        form = HealthModelForm(initial=HealthModelForm.initial_from(active))
    draft: HealthModel = active
    if form.is_bound and form.is_valid():
        candidate = form.draft()
        try:
            if request.POST.get("action") == "save":
                model = health_model_save(draft=candidate, by=request.user, note=form.cleaned_data["note"])
                _recompute(request, form, model)
                return redirect("health_model")
            health_model_validate(candidate)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            draft = candidate
    context = {
        "section": "health",
        "form": form,
        "active": active,
        "draft_is_active": draft is active,
        "parameters_changed": health_model_parameters_changed(active, draft),
        "preview": selectors.health_preview(draft=draft, active=active),
        "versions": versions,
        "job": health_recompute_latest(),
        "next_version": (versions[0].version if versions else active.version) + 1,
        "statuses": Status.values,
        "retention_days": settings.KEEL_DAILY_RETENTION_DAYS,
    }
    return render(request, "health/model.html", context, status=400 if form.errors else 200)


def _recompute(request: AuthenticatedRequest, form: HealthModelForm, model: HealthModel) -> None:
    messages.success(request, f"Saved version {model.version}; it is active from now on.")
    if not form.cleaned_data["recompute"]:
        return
    start, end = form.cleaned_data["recompute_from"], form.cleaned_data["recompute_to"]
    try:
        job = snapshot_job_enqueue(
            start=start, end=end, reason=f"{RECOMPUTE_REASON}{model.version}", by=request.user
        )
    except SnapshotRangeError as error:
        messages.error(request, f"History was not recomputed: {error}")
    else:
        messages.info(request, f"Recomputing {start} … {end} with version {model.version} ({job.state}).")


@admin_required
@require_GET
def health_model_job(request: AuthenticatedRequest, pk: int) -> JsonResponse:
    """The progress of a recompute, for the Health page's status block."""
    job = get_object_or_404(SnapshotJob, pk=pk)
    return JsonResponse(
        {
            "state": job.state,
            "state_label": job.get_state_display(),
            "steps_done": job.steps_done,
            "steps_total": job.steps_total,
            "progress": job.progress,
            "error": job.error,
        }
    )


@login_required
def task_list(request: AuthenticatedRequest) -> HttpResponse:
    """A CSM's open tasks; every task for VPs and admins, with a filter by CSM."""
    user = request.user
    filters = TaskFilterForm(request.GET)
    state, csm = filters.state_value(), filters.csm_value() if user.is_vp else ""
    tasks = selectors.task_list(user=user, state=state, csm=csm)
    page = Paginator(tasks, TASKS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "section": "tasks",
        "page": page,
        "tasks": cast(QuerySet[Task], page.object_list),
        "state": state,
        "csm": csm,
        "csms": csms_for_filter() if user.is_vp else None,
        "unassigned": UNASSIGNED,
        "today": timezone.localdate(),
    }
    return render(request, "health/tasks.html", context)


@login_required
@require_POST
def task_close_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    task = selectors.task_get_for_user(request.user, pk)
    form = TaskCloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"The note is too long: at most {MAX_NOTE} characters.")
    else:
        try:
            task_close(task=task, by=request.user, note=form.cleaned_data["note"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Closed “{task.title}”.")
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("task_list")
    return redirect(back)
