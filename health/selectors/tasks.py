"""Tasks for the Tasks page and the API. Access is decided here: a CSM sees the tasks assigned to them and those
they made, VPs and admins every task (DESIGN.md "Roles and access"); another CSM's task is a 404."""

from __future__ import annotations

from datetime import date

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from health.models import Task, tasks_awake

UNASSIGNED = "none"  # the CSM filter's value for tasks without an assignee
STATES = ("open", "snoozed", "closed", "all")  # open: not snoozed past today


def tasks_for_user(user: User) -> QuerySet[Task]:
    """The tasks `user` may see: a CSM's own and those they made, all for VPs and admins."""
    if user.is_vp:
        return Task.objects.all()
    return Task.objects.filter(Q(assignee=user) | Q(created_by=user))


def task_list(*, user: User, state: str = "open", csm: str = "", today: date | None = None) -> QuerySet[Task]:
    """`user`'s tasks in `state` (open, snoozed, closed, all), open and snoozed ones by due date, closed ones latest
    first, with their account, assignee and closer. An open task snoozed until a day after `today` is listed as
    snoozed, not open. `csm` (a user id or UNASSIGNED) narrows what `user` may see anyway."""
    today = today or timezone.localdate()
    tasks = tasks_for_user(user).select_related("account", "assignee", "closed_by", "created_by", "episode")
    if state == "open":
        tasks = tasks.filter(tasks_awake(today)).order_by("due_on", "pk")
    elif state == "snoozed":
        tasks = tasks.filter(closed_at__isnull=True, snoozed_until__gt=today).order_by(
            "snoozed_until", "due_on", "pk"
        )
    elif state == "closed":
        tasks = tasks.filter(closed_at__isnull=False).order_by("-closed_at", "-pk")
    else:
        tasks = tasks.order_by("-created_at", "-pk")
    if csm == UNASSIGNED:
        tasks = tasks.filter(assignee__isnull=True)
    elif csm.isdigit():
        tasks = tasks.filter(assignee_id=int(csm))
    return tasks


def task_get_for_user(user: User, pk: int) -> Task:
    try:
        return (
            tasks_for_user(user)
            .select_related("account", "assignee", "closed_by", "created_by", "episode")
            .get(pk=pk)
        )
    except Task.DoesNotExist:
        raise Http404("No such task.") from None


def open_task_count(user: User) -> int:
    """The open tasks assigned to `user` that are not snoozed (the navigation's badge): one count on a partial
    index."""
    return Task.objects.filter(tasks_awake(timezone.localdate()), assignee=user).count()
