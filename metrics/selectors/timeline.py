"""The account's timeline on the 360: what its CSM logged (notes, calls, meetings, emails) interleaved with what
Keel saw happen (health status changes, survey answers, tickets opened, subscriptions starting, changing and
ending, tasks opened and closed), latest first. One query over the account's own rows."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection

EVENTS_SHOWN = 20
EVENTS_MAX = 1000
MONEY = frozenset({"mrr", "before_mrr"})

# Raw SQL: one UNION ALL of six sources, sorted and cut in the database. A day is a local day (KEEL_TIMEZONE) for
# the facts that carry a time. A health change is a scored day whose status differs from the account's previous
# scored row (daily rows are kept KEEL_DAILY_RETENTION_DAYS, month-ends forever: an older change shows on the
# month-end that first saw it). A subscription's span that starts when another span of it ends is a change;
# the end of its last span is its end. Only days up to %(today)s.
_TIMELINE = """
WITH health AS (
    SELECT day, status, score, LAG(status) OVER (ORDER BY day) AS before
    FROM metrics_accountday WHERE account_id = %(account)s AND status <> ''
),
spans AS (
    SELECT s.*, s.annual_amount / 12 AS mrr,
           EXISTS (SELECT 1 FROM accounts_subscriptionspan b WHERE b.account_id = s.account_id
                   AND b.subscription_id = s.subscription_id AND b.ends_on = s.starts_on) AS continues,
           (SELECT b.annual_amount / 12 FROM accounts_subscriptionspan b WHERE b.account_id = s.account_id
            AND b.subscription_id = s.subscription_id AND b.ends_on = s.starts_on LIMIT 1) AS before_mrr,
           EXISTS (SELECT 1 FROM accounts_subscriptionspan n WHERE n.account_id = s.account_id
                   AND n.subscription_id = s.subscription_id AND n.starts_on = s.ends_on) AS continued
    FROM accounts_subscriptionspan s WHERE s.account_id = %(account)s
),
-- Each source's latest %(limit)s rows before the union (the latest of all are among them), so an account with
-- years of tickets or answers sorts and words only as many rows as a page shows.
events AS (
    (SELECT e.occurred_on AS day, e.created_at AS at, 'logged' AS source, e.kind, e.id AS entry_id, e.author_id,
            jsonb_build_object(
                'text', e.text, 'author', u.name,
                'contacts', (SELECT string_agg(COALESCE(NULLIF(c.name, ''), c.email), ', ' ORDER BY c.name, c.email)
                             FROM accounts_timelineentry_contacts tc JOIN accounts_contact c ON c.id = tc.contact_id
                             WHERE tc.timelineentry_id = e.id)) AS data
     FROM accounts_timelineentry e LEFT JOIN accounts_user u ON u.id = e.author_id
     WHERE e.account_id = %(account)s AND e.occurred_on <= %(today)s
     ORDER BY e.occurred_on DESC, e.created_at DESC NULLS LAST, e.id DESC LIMIT %(limit)s)
    UNION ALL
    (SELECT day, NULL, 'health', status, NULL, NULL, jsonb_build_object('before', before, 'score', score)
     FROM health WHERE before IS NOT NULL AND before <> status AND day <= %(today)s
     ORDER BY day DESC LIMIT %(limit)s)
    UNION ALL
    (SELECT (r.responded_at AT TIME ZONE %(tz)s)::date, r.responded_at, 'answer', r.kind, NULL, NULL,
            jsonb_build_object('score', r.score, 'comment', r.comment,
                               'who', COALESCE(NULLIF(c.name, ''), c.email))
     FROM accounts_surveyresponse r LEFT JOIN accounts_contact c ON c.id = r.contact_id
     WHERE r.account_id = %(account)s AND (r.responded_at AT TIME ZONE %(tz)s)::date <= %(today)s
     ORDER BY 1 DESC, 2 DESC NULLS LAST LIMIT %(limit)s)
    UNION ALL
    (SELECT (t.created_at AT TIME ZONE %(tz)s)::date, t.created_at, 'ticket', t.priority, NULL, NULL,
            jsonb_build_object('subject', t.subject, 'external_id', t.external_id)
     FROM accounts_ticket t
     WHERE t.account_id = %(account)s AND (t.created_at AT TIME ZONE %(tz)s)::date <= %(today)s
     ORDER BY 1 DESC, 2 DESC NULLS LAST LIMIT %(limit)s)
    UNION ALL
    (SELECT starts_on, NULL, 'subscription', CASE WHEN continues THEN 'changed' ELSE 'started' END, NULL, NULL,
            jsonb_build_object('subscription', subscription_id, 'plan', plan, 'mrr', mrr::text,
                               'before_mrr', before_mrr::text)
     FROM spans WHERE starts_on <= %(today)s ORDER BY starts_on DESC LIMIT %(limit)s)
    UNION ALL
    (SELECT ends_on, NULL, 'subscription', 'ended', NULL, NULL,
            jsonb_build_object('subscription', subscription_id, 'plan', plan, 'mrr', mrr::text)
     FROM spans WHERE ends_on IS NOT NULL AND NOT continued AND ends_on <= %(today)s
     ORDER BY ends_on DESC LIMIT %(limit)s)
    UNION ALL
    (SELECT (k.created_at AT TIME ZONE %(tz)s)::date, k.created_at, 'task', 'opened', NULL, NULL,
            jsonb_build_object('title', k.title, 'task_kind', k.kind, 'assignee', a.name, 'due_on', k.due_on)
     FROM health_task k LEFT JOIN accounts_user a ON a.id = k.assignee_id
     WHERE k.account_id = %(account)s AND (k.created_at AT TIME ZONE %(tz)s)::date <= %(today)s
     ORDER BY 1 DESC, 2 DESC NULLS LAST LIMIT %(limit)s)
    UNION ALL
    (SELECT (k.closed_at AT TIME ZONE %(tz)s)::date, k.closed_at, 'task', 'closed', NULL, NULL,
            jsonb_build_object('title', k.title, 'task_kind', k.kind, 'by', b.name, 'note', k.close_note)
     FROM health_task k LEFT JOIN accounts_user b ON b.id = k.closed_by_id
     WHERE k.account_id = %(account)s AND k.closed_at IS NOT NULL
       AND (k.closed_at AT TIME ZONE %(tz)s)::date <= %(today)s
     ORDER BY 1 DESC, 2 DESC NULLS LAST LIMIT %(limit)s)
)
SELECT day, at, source, kind, entry_id, author_id, data FROM events
ORDER BY day DESC, at DESC NULLS LAST, source, entry_id DESC NULLS LAST
LIMIT %(limit)s
"""


@dataclass(frozen=True)
class TimelineEvent:
    """One line of the timeline. `source` is logged, health, answer, ticket, subscription or task; `kind` the
    entry's kind, the new status, the survey's kind, the ticket's priority, started/changed/ended or
    opened/closed; `data` what the line says (metrics/templatetags/timeline_tags.py words it)."""

    day: date
    at: datetime | None
    source: str
    kind: str
    entry_id: int | None
    author_id: int | None
    data: dict[str, Any]


@dataclass(frozen=True)
class Timeline:
    events: list[TimelineEvent]
    more: bool  # older events than those shown exist
    shown: int  # how many were asked for


def _money(data: dict[str, Any]) -> dict[str, Any]:
    """Amounts travel as text inside the JSON, so they stay exact Decimals."""
    return {
        key: Decimal(value) if key in MONEY and value is not None else value for key, value in data.items()
    }


def account_timeline(*, account_id: int, today: date, limit: int = EVENTS_SHOWN) -> Timeline:
    """The latest `limit` events (at most EVENTS_MAX) of `account_id` on or before `today`."""
    limit = max(1, min(limit, EVENTS_MAX))
    params: dict[str, Any] = {
        "account": account_id,
        "today": today,
        "tz": settings.TIME_ZONE,
        "limit": limit + 1,
    }
    with connection.cursor() as cursor:
        cursor.execute(_TIMELINE, params)
        rows = cursor.fetchall()
    events = [
        TimelineEvent(
            day=day,
            at=at,
            source=source,
            kind=kind,
            entry_id=entry_id,
            author_id=author_id,
            data=_money(data if isinstance(data, dict) else json.loads(data)),
        )
        for day, at, source, kind, entry_id, author_id, data in rows[:limit]
    ]
    return Timeline(events=events, more=len(rows) > limit, shown=limit)
