"""The Health model page (admins): edit the model as a draft, preview it against the active one on the stored
components, save it as a new version and recompute history with it. It composes the health model (health) with
the pipeline's stored rows and jobs, so it lives on the top floor.

Views are thin: access (`admin_required`), the form, one service or selector.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render

from accounts.access import AuthenticatedRequest, admin_required
from health.forms import HealthModelForm
from health.models import RECOMMENDED_NOTE, HealthModel, Status
from health.selectors import health_model_active, health_model_versions
from health.services import (
    health_model_activate,
    health_model_parameters_changed,
    health_model_save,
    health_model_validate,
)
from metrics.selectors.backtest_months import ChurnedPage, backtest_chart, churned_while_green
from metrics.selectors.health_preview import Preview, health_preview
from metrics.selectors.jobs import RECOMPUTE_REASON, health_recompute_latest
from metrics.services.pipeline import SnapshotRangeError, snapshot_job_enqueue

CHURNED_PER_PAGE = 25


@admin_required
def health_model(request: AuthenticatedRequest) -> HttpResponse:
    """Edit the model as a draft, preview it against the active one, save it as a new version."""
    versions = health_model_versions()
    active = next((version for version in versions if version.is_active), None) or health_model_active()
    # Keel's recommended version (health 0008), offered on a card while it is not the active one.
    recommended = next((version for version in versions if version.note == RECOMMENDED_NOTE), None)
    if request.method == "POST" and request.POST.get("action") == "activate_recommended" and recommended:
        try:
            health_model_activate(model=recommended, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                f"Version {recommended.version} is active from now on; recompute history below to rescore "
                "past days with it.",
            )
        return redirect("health_model")
    if request.method == "POST":
        form = HealthModelForm(request.POST)
    elif request.GET.get("review") == "recommended" and recommended is not None:
        # its values as a draft, previewed against the active model (a bound form, as a Preview click makes)
        form = HealthModelForm({**HealthModelForm.initial_from(recommended), "note": recommended.note})
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
    preview = health_preview(draft=draft, active=active)
    context = {
        "section": "health",
        "form": form,
        "active": active,
        "draft_is_active": draft is active,
        "parameters_changed": health_model_parameters_changed(active, draft),
        "preview": preview,
        "backtest_chart": backtest_chart(preview.active_backtest) if preview else None,
        "churned_green": _churned_green(request, preview, active),
        "versions": versions,
        "recommended": recommended,
        "job": health_recompute_latest(),
        "next_version": (versions[0].version if versions else active.version) + 1,
        "statuses": Status.values,
        "retention_days": settings.KEEL_DAILY_RETENTION_DAYS,
        "onboarding_days": settings.KEEL_ONBOARDING_DAYS,
    }
    return render(request, "metrics/health_model.html", context, status=400 if form.errors else 200)


def _churned_green(
    request: AuthenticatedRequest, preview: Preview | None, active: HealthModel
) -> ChurnedPage | None:
    """A page of the accounts the active model scored green on a month-end of its backtest that churned."""
    if preview is None:
        return None
    return churned_while_green(
        user=request.user,
        model=active,
        days=[month.day for month in preview.active_backtest.months],
        page=request.GET.get("churned_page"),
        per_page=CHURNED_PER_PAGE,
    )


def _recompute(request: AuthenticatedRequest, form: HealthModelForm, model: HealthModel) -> None:
    messages.success(request, f"Saved version {model.version}; it is active from now on.")
    if not form.cleaned_data["recompute"]:
        return
    start, end = form.cleaned_data["recompute_from"], form.cleaned_data["recompute_to"]
    try:
        snapshot_job_enqueue(
            start=start, end=end, reason=f"{RECOMPUTE_REASON}{model.version}", by=request.user
        )
    except SnapshotRangeError as error:
        messages.error(request, f"History was not recomputed: {error}")
    else:
        messages.info(request, f"Recomputing {start} … {end} with version {model.version}.")
