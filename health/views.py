"""Pages of the health app: the Tasks page (everyone, scoped). The Health model page composes the pipeline's
jobs and stored rows with the model, so it lives on the top floor (metrics.views.health_model).

Views are thin: access (`health.selectors.task_get_for_user`), a form, one service or selector.
"""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.access import AuthenticatedRequest
from accounts.selectors import csms_for_filter
from health import selectors
from health.forms import TaskCloseForm, TaskFilterForm
from health.models import Task
from health.selectors.tasks import UNASSIGNED
from health.services import task_close
from health.services.tasks import MAX_NOTE

TASKS_PER_PAGE = 50


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
