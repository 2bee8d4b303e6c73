"""At-risk alerts: one task and one email for the account's CSM per at-risk episode, raised by the nightly run.

An episode (health.AtRiskEpisode) starts on a day an account is at risk (METRICS.md "Health score") with no
episode open; it ends after 7 days in a row not at risk, or when the account churns (MRR 0). Only the nightly
run for yesterday raises them (its plan has the step: metrics.services.pipeline); backfills and recomputes never
alert.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import date, timedelta
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse

from accounts.models import User
from accounts.selectors import fallback_owner
from accounts.sql import SqlStep
from health.models import Task
from health.sql import files

log = logging.getLogger(__name__)

EPISODE_END_DAYS = 7  # days in a row not at risk that end an episode
TASK_DUE_DAYS = 7  # an at-risk task is due a week after the day it was raised for


def health_alerts_raise(*, step: SqlStep, day: date) -> int:
    """End the at-risk episodes that are over on `day`, start one for every account at risk on `day` without
    one open, and give each new episode a task for the account's CSM (the fallback owner without one); email each CSM once, after commit, about
    their new tasks. Return how many tasks were made. Reads `_risk_rows` (health/sql/alerts.sql says which rows;
    the caller made them, in `step`). Safe to run twice for a day: the second run makes none."""
    with transaction.atomic():
        rows = step.fetch(
            files,
            "alerts",
            day=day,
            days=EPISODE_END_DAYS,
            due_on=day + timedelta(days=TASK_DUE_DAYS),
            fallback_id=owner.pk if (owner := fallback_owner()) is not None else None,
        )
        task_ids = [task_id for (task_id,) in rows]
        tasks = (
            Task.objects.filter(pk__in=task_ids, assignee__isnull=False, assignee__is_active=True)
            .select_related("account", "assignee")
            .order_by("assignee", "account__name")
        )
        by_assignee: dict[User, list[Task]] = defaultdict(list)
        for task in tasks:
            assert task.assignee is not None
            by_assignee[task.assignee].append(task)
        for assignee, theirs in by_assignee.items():
            transaction.on_commit(partial(_email_assignee, assignee, theirs, day), robust=True)
    log.info("health alerts for %s: %s tasks made", day, len(task_ids))
    return len(task_ids)


def _email_assignee(assignee: User, tasks: list[Task], day: date) -> None:
    base = settings.KEEL_BASE_URL.rstrip("/")
    if len(tasks) == 1:
        subject = f"Keel: {tasks[0].account.name} is at risk"
    else:
        subject = f"Keel: {len(tasks)} of your accounts are at risk"
    lines = [f"Hello {assignee.name or assignee.email},", ""]
    if len(tasks) == 1:
        lines.append(
            f"Keel's health scores for {day:%Y-%m-%d} put this account at risk; a task is waiting for you:"
        )
    else:
        lines.append(
            f"Keel's health scores for {day:%Y-%m-%d} put these accounts at risk; a task is waiting for you for each:"
        )
    for task in tasks:
        lines += [
            "",
            f"- {task.account.name} ({task.account.external_id}): {task.reason_text}",
            f"  Why: {base}{reverse('account_detail', args=[task.account_id])}#health",
            f"  Due {task.due_on:%Y-%m-%d}",
        ]
    lines += ["", f"Your tasks: {base}{reverse('task_list')}", "", "— Keel"]
    send_mail(subject, "\n".join(lines), None, [assignee.email])
