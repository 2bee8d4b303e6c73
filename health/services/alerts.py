"""At-risk alerts: one task and one email for the account's CSM per at-risk episode, raised by the nightly run.

An episode (health.AtRiskEpisode) starts on a day an account is at risk (METRICS.md "Health score") with no
episode open; it ends after 7 days in a row not at risk, or when the account churns (MRR 0). Only the nightly
run for yesterday calls `health_alerts_raise` (metrics.tasks); backfills and recomputes never alert.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import date, timedelta
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.urls import reverse

from accounts.models import User
from health.models import Task

log = logging.getLogger(__name__)

EPISODE_END_DAYS = 7  # days in a row not at risk that end an episode
TASK_DUE_DAYS = 7  # an at-risk task is due a week after the day it was raised for

# Raw SQL: set-based over every open episode / every account at risk on the day, with correlated NOT EXISTS
# probes on metrics_accountday's (account, day) index; the ORM cannot say an INSERT … SELECT … RETURNING chain.
#
# A missing AccountDay row is a day without MRR and without use: not at risk. Two windows end an episode: the
# seven days ending on `day`, and the seven ending the day before (in case yesterday's run did not happen).
EPISODES_END_SQL = """
UPDATE health_atriskepisode e
SET ended_on = CASE WHEN NOT paying THEN %(day)s::date
                    WHEN NOT at_risk_before THEN %(day)s::date - 1
                    ELSE %(day)s::date END,
    end_reason = CASE WHEN NOT paying THEN 'churned' ELSE 'recovered' END
FROM (
    SELECT o.id,
           EXISTS (SELECT 1 FROM metrics_accountday d
                   WHERE d.account_id = o.account_id AND d.day = %(day)s::date AND d.arr > 0) AS paying,
           EXISTS (SELECT 1 FROM metrics_accountday d
                   WHERE d.account_id = o.account_id AND d.at_risk
                     AND d.day BETWEEN %(day)s::date - %(days)s AND %(day)s::date - 1) AS at_risk_before,
           EXISTS (SELECT 1 FROM metrics_accountday d
                   WHERE d.account_id = o.account_id AND d.at_risk
                     AND d.day BETWEEN %(day)s::date - %(days)s + 1 AND %(day)s::date) AS at_risk_lately
    FROM health_atriskepisode o
    WHERE o.ended_on IS NULL AND o.started_on < %(day)s::date
) c
WHERE e.id = c.id AND NOT (c.paying AND c.at_risk_before AND c.at_risk_lately)
"""

# A new episode for every account at risk on the day without one open, and its task for the account's CSM, with
# the reason in words (red, or the drop of the model the day was scored with).
EPISODES_START_SQL = """
WITH started AS (
    INSERT INTO health_atriskepisode (account_id, started_on, end_reason)
    SELECT d.account_id, d.day, ''
    FROM metrics_accountday d
    WHERE d.day = %(day)s::date AND d.at_risk AND d.score IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM health_atriskepisode o WHERE o.account_id = d.account_id AND o.ended_on IS NULL)
    ON CONFLICT DO NOTHING
    RETURNING id, account_id, started_on
)
INSERT INTO health_task
    (account_id, assignee_id, kind, episode_id, title, reason, due_on, created_at, close_note)
SELECT s.account_id, a.csm_id, 'at_risk', s.id, a.name || ' is at risk',
       CASE WHEN d.status = 'red' THEN
                format('Red: health score %%s, below %%s.', round(d.score::numeric, 1), m.yellow_min)
            WHEN b.score IS NOT NULL THEN
                format('Health score fell %%s points in %%s days, from %%s to %%s.',
                       round(b.score::numeric, 1) - round(d.score::numeric, 1), m.drop_days,
                       round(b.score::numeric, 1), round(d.score::numeric, 1))
            ELSE
                format('Health score fell %%s points or more in %%s days, to %%s.',
                       m.drop_points, m.drop_days, round(d.score::numeric, 1))
       END,
       %(due_on)s::date, now(), ''
FROM started s
JOIN accounts_account a ON a.id = s.account_id
JOIN metrics_accountday d ON d.account_id = s.account_id AND d.day = s.started_on
JOIN health_healthmodel m ON m.id = d.health_model_id
LEFT JOIN metrics_accountday b
       ON b.account_id = s.account_id AND b.day = s.started_on - m.drop_days AND b.score IS NOT NULL
RETURNING id
"""


def health_alerts_raise(*, day: date) -> int:
    """End the at-risk episodes that are over on `day`, start one for every account at risk on `day` without
    one open, and give each new episode a task for the account's CSM; email each CSM once, after commit, about
    their new tasks. Return how many tasks were made. Safe to run twice for a day: the second run makes none."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(EPISODES_END_SQL, {"day": day, "days": EPISODE_END_DAYS})
            ended = cursor.rowcount
            cursor.execute(EPISODES_START_SQL, {"day": day, "due_on": day + timedelta(days=TASK_DUE_DAYS)})
            task_ids = [task_id for (task_id,) in cursor.fetchall()]
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
    log.info("health alerts for %s: %s episodes ended, %s tasks made", day, ended, len(task_ids))
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
            f"- {task.account.name} ({task.account.external_id}): {task.reason}",
            f"  Why: {base}{reverse('account_detail', args=[task.account_id])}#health",
            f"  Due {task.due_on:%Y-%m-%d}",
        ]
    lines += ["", f"Your tasks: {base}{reverse('task_list')}", "", "— Keel"]
    send_mail(subject, "\n".join(lines), None, [assignee.email])
