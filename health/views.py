"""Pages of the health app: the Tasks page (everyone, scoped), a task made or changed by hand, snoozing one. The Health model page composes the pipeline's
jobs and stored rows with the model, so it lives on the top floor (metrics.views.health_model).

Views are thin: access (`health.selectors.task_get_for_user`), a form, one service or selector.
"""

from __future__ import annotations

from datetime import timedelta
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.access import AuthenticatedRequest
from accounts.selectors import account_get_for_user, account_search, csms_for_filter
from health import selectors
from health.forms import SNOOZE_CHOICES, TaskCloseForm, TaskFilterForm, TaskForm, TaskSnoozeForm
from health.models import Task
from health.selectors.tasks import UNASSIGNED
from health.services import task_assignees, task_close, task_create, task_may_change, task_snooze, task_update
from health.services.tasks import MAX_NOTE

TASKS_PER_PAGE = 50


@login_required
def task_list(request: AuthenticatedRequest) -> HttpResponse:
    """A CSM's open tasks; every task for VPs and admins, with a filter by CSM."""
    user = request.user
    filters = TaskFilterForm(request.GET)
    state, csm = filters.state_value(), filters.csm_value() if user.is_vp else ""
    today = timezone.localdate()
    tasks = selectors.task_list(user=user, state=state, csm=csm, today=today)
    page = Paginator(tasks, TASKS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "section": "tasks",
        "page": page,
        "tasks": cast(QuerySet[Task], page.object_list),
        "state": state,
        "csm": csm,
        "csms": csms_for_filter() if user.is_vp else None,
        "unassigned": UNASSIGNED,
        "today": today,
        "snooze_choices": [(today + timedelta(days=days), label) for days, label in SNOOZE_CHOICES],
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
    return _back(request, reverse("task_list"))


def _back(request: AuthenticatedRequest, default: str) -> HttpResponse:
    """To the page the form came from (`next`, on this site only), else `default`."""
    back = request.POST.get("next", "") or request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = default
    return redirect(back)


@login_required
def task_new(request: AuthenticatedRequest) -> HttpResponse:
    """A task by hand about the account `?account=` (one the user may see), for its CSM by default; without an
    account, a search for one."""
    account_id = request.GET.get("account", "")
    if not account_id.isdigit():
        query = request.GET.get("q", "")[:200]
        found = account_search(request.user, query)
        return render(request, "health/task_account.html", {"section": "tasks", "q": query, "found": found})
    account = account_get_for_user(request.user, int(account_id))
    people = task_assignees(account)
    default = account.csm if account.csm in people else request.user
    initial = {
        "due_on": timezone.localdate() + timedelta(days=3),
        "assignee": default.pk if default else None,
    }
    form = TaskForm(request.POST or None, assignees=people, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            task = task_create(
                account=account,
                by=request.user,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                assignee=form.chosen_assignee(),
                due_on=form.cleaned_data["due_on"],
                priority=form.cleaned_data["priority"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request, f"Task “{task.title}” for {task.assignee.name if task.assignee else 'nobody'}."
            )
            return _back(request, reverse("account_detail", args=[account.pk]) + "#account-tasks")
    context = {
        "section": "tasks",
        "form": form,
        "account": account,
        "task": None,
        "next": request.GET.get("next", ""),
    }
    return render(request, "health/task_edit.html", context)


@login_required
def task_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    task = selectors.task_get_for_user(request.user, pk)
    if not task_may_change(task, request.user):
        raise PermissionDenied
    initial = {
        "title": task.title,
        "description": task.description,
        "assignee": task.assignee_id,
        "due_on": task.due_on,
        "priority": task.priority,
    }
    form = TaskForm(request.POST or None, assignees=task_assignees(task.account), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            task_update(
                task=task,
                by=request.user,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                assignee=form.chosen_assignee(),
                due_on=form.cleaned_data["due_on"],
                priority=form.cleaned_data["priority"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"Saved “{task.title}”.")
            return _back(request, reverse("task_list"))
    context = {
        "section": "tasks",
        "form": form,
        "account": task.account,
        "task": task,
        "next": request.GET.get("next", ""),
    }
    return render(request, "health/task_edit.html", context)


@login_required
@require_POST
def task_snooze_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Snooze until the day posted (`until`), or wake the task (empty)."""
    task = selectors.task_get_for_user(request.user, pk)
    form = TaskSnoozeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Snooze until a day, written as YYYY-MM-DD.")
    else:
        until = form.cleaned_data["until"]
        try:
            task_snooze(task=task, by=request.user, until=until)
        except (ValidationError, PermissionDenied) as error:
            text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            messages.error(request, text)
        else:
            if until:
                messages.success(request, f"Snoozed “{task.title}” until {date_format(until)}.")
            else:
                messages.success(request, f"“{task.title}” is back in the open tasks.")
    return _back(request, reverse("task_list"))
