"""Writes of tasks: a follow-up of a survey answer, a task made by hand, changing, snoozing and closing one."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.formats import date_format

from accounts.models import Account, Role, SurveyKind, SurveyResponse, User
from accounts.selectors import fallback_owner
from health.models import Task
from health.reasons import AnswerReason

MAX_NOTE = 2000
FOLLOW_UP_DUE_DAYS = 3
# The answers a CSM should follow up (DATA.md §5): a detractor (NPS 0–6), a low CSAT (1–2).
FOLLOW_UP_SCORES = {SurveyKind.NPS: range(0, 7), SurveyKind.CSAT: range(1, 3)}


def task_follow_up_open(*, response: SurveyResponse) -> Task | None:
    """A follow-up task for the account's CSM when `response` is a detractor or a low CSAT, with its score and
    comment as the reason; None for another answer. An answer has one follow-up at most: answering again (a
    changed score or comment) leaves the task it opened as it is."""
    if response.score not in FOLLOW_UP_SCORES.get(SurveyKind(response.kind), ()):
        return None
    account = response.account
    contact = response.contact
    reason = AnswerReason(
        survey_kind=response.kind,
        score=response.score,
        comment=response.comment,
        who=(contact.name or contact.email) if contact is not None else "",
    )
    task, _ = Task.objects.get_or_create(
        response=response,
        defaults={
            "account": account,
            "assignee": account.csm or fallback_owner(),
            "kind": Task.Kind.FOLLOW_UP,
            "title": f"Follow up {account.name}'s {response.kind.upper()} {response.score}",
            "reason": reason.data(),
            "due_on": timezone.localdate() + timedelta(days=FOLLOW_UP_DUE_DAYS),
        },
    )
    return task


def task_close(*, task: Task, by: User, note: str) -> Task:
    """Close `task` with `note` (what was done). Who may close it is decided by
    `health.selectors.task_get_for_user`; a task closed already stays as it was closed."""
    note = note.strip()
    if len(note) > MAX_NOTE:
        raise ValidationError({"note": f"At most {MAX_NOTE} characters."})
    if task.closed_at is not None:
        raise ValidationError(f"This task was closed on {date_format(timezone.localtime(task.closed_at))}.")
    updated = Task.objects.filter(pk=task.pk, closed_at__isnull=True).update(
        closed_at=timezone.now(), closed_by=by, close_note=note
    )
    if not updated:  # closed by someone else since it was read
        raise ValidationError("This task was closed in the meantime.")
    task.refresh_from_db()
    return task


MAX_TITLE = 300
MAX_DESCRIPTION = 5000
SNOOZE_MAX_DAYS = 365


def task_assignees(account: Account) -> list[User]:
    """Who may be given a task about `account`: the active people who see it (DESIGN.md "Roles and access"):
    its CSM, every VP and admin. A CSM who does not own the account would not see the task's account."""
    people = User.objects.filter(is_active=True, role__in=[Role.VP, Role.ADMIN])
    if account.csm_id is not None:
        people = people | User.objects.filter(pk=account.csm_id, is_active=True)
    return list(people.order_by("name", "pk"))


def _checked_fields(
    *, account: Account, assignee: User | None, title: str, description: str, due_on: date, priority: str
) -> tuple[User | None, str, str]:
    """The assignee (the account's CSM, else the fallback owner, when none is given), the title and description
    stripped; or a ValidationError naming each field and why."""
    errors: dict[str, str] = {}
    title, description = title.strip(), description.strip()
    if not title:
        errors["title"] = "Say what is to be done."
    elif len(title) > MAX_TITLE:
        errors["title"] = f"At most {MAX_TITLE} characters."
    if len(description) > MAX_DESCRIPTION:
        errors["description"] = f"At most {MAX_DESCRIPTION:,} characters."
    if priority not in Task.Priority.values:
        errors["priority"] = f"One of {', '.join(Task.Priority.values)}."
    if due_on < date(2000, 1, 1):
        errors["due_on"] = "On or after 2000-01-01."
    if assignee is None:
        assignee = account.csm if account.csm is not None and account.csm.is_active else fallback_owner()
    elif assignee not in task_assignees(account):
        errors["assignee"] = "Someone active who sees this account: its CSM, a VP or an admin."
    if errors:
        raise ValidationError(errors)
    return assignee, title, description


def task_create(
    *,
    account: Account,
    by: User,
    title: str,
    due_on: date,
    assignee: User | None = None,
    description: str = "",
    priority: str = Task.Priority.NORMAL,
) -> Task:
    """A task made by hand about `account` (who may see it is the caller's check), for `assignee`: by default the
    account's CSM, the fallback owner for an account without one; never nobody while the team has an admin."""
    assignee, title, description = _checked_fields(
        account=account,
        assignee=assignee,
        title=title,
        description=description,
        due_on=due_on,
        priority=priority,
    )
    return Task.objects.create(
        account=account,
        assignee=assignee,
        kind=Task.Kind.MANUAL,
        title=title,
        description=description,
        due_on=due_on,
        priority=priority,
        created_by=by,
    )


def task_may_change(task: Task, user: User) -> bool:
    """Its assignee, whoever made it, VPs and admins change an open task."""
    return task.is_open and (user.is_vp or user.pk in (task.assignee_id, task.created_by_id))


def task_update(
    *,
    task: Task,
    by: User,
    title: str,
    due_on: date,
    assignee: User | None,
    description: str,
    priority: str,
) -> Task:
    """Change an open task: what, for whom, when, how urgent. PermissionDenied for someone else's."""
    if not task_may_change(task, by):
        raise PermissionDenied("Only its assignee, its author, a VP or an admin changes an open task.")
    assignee, title, description = _checked_fields(
        account=task.account,
        assignee=assignee,
        title=title,
        description=description,
        due_on=due_on,
        priority=priority,
    )
    task.assignee, task.title, task.description, task.due_on, task.priority = (
        assignee,
        title,
        description,
        due_on,
        priority,
    )
    task.save(update_fields=["assignee", "title", "description", "due_on", "priority"])
    return task


def task_snooze(*, task: Task, by: User, until: date | None) -> Task:
    """Leave an open task out of the open list until `until` (after today, within SNOOZE_MAX_DAYS); None wakes it.
    It stays open and keeps its due date."""
    if not task_may_change(task, by):
        raise PermissionDenied("Only its assignee, its author, a VP or an admin snoozes an open task.")
    today = timezone.localdate()
    if until is not None and not today < until <= today + timedelta(days=SNOOZE_MAX_DAYS):
        raise ValidationError({"until": f"A day after today, at most {SNOOZE_MAX_DAYS} days ahead."})
    Task.objects.filter(pk=task.pk).update(snoozed_until=until)
    task.snoozed_until = until
    return task
