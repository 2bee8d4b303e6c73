"""Template tags of the account 360's timeline: `{% load timeline_tags %}`.

`timeline_events` writes the timeline's lines in Python, as `dashboard_tags` writes the dashboards' repeated
rows, and for the same reason: measured on the 360 of the bench (100,000 accounts, a quiet machine), the
template's branch per kind of event cost 4.1 ms for the twenty lines a page shows (some 200 µs a line in
variable lookups, filters and escaping), out of a page bar of 50 ms; one f-string a line: 0.8 ms in all. The
lines say what templates/metrics/_timeline.html said. Every text of the account's own (what the CSM logged,
names, subjects, comments, plans) is escaped here; the rest is Keel's own words and numbers.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import Any

from django import template
from django.template.defaultfilters import linebreaksbr, title
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe

from accounts.templatetags.keel import money_exact, url_of
from health.templatetags.health_tags import score
from metrics.selectors.timeline import TimelineEvent

register = template.Library()


def _text(value: Any) -> str:
    """A value as {{ value }} writes it: escaped, None as "None"."""
    return escape(str(value))


def _logged(event: TimelineEvent, viewer_id: int | None) -> str:
    data = event.data
    contacts = f" with {_text(data['contacts'])}" if data.get("contacts") else ""
    author = _text(data.get("author") or "a former teammate")
    edit = (
        f' · <a href="{url_of("timeline_entry_edit", event.entry_id)}" class="activity__edit">Edit</a>'
        if event.author_id is not None and event.author_id == viewer_id
        else ""
    )
    return (
        f'<div class="activity__title"><strong>{escape(title(event.kind))}</strong>{contacts} '
        f'<span class="muted">· {author}</span>{edit}</div>'
        f'<p class="activity__text">{linebreaksbr(str(data.get("text") or ""), autoescape=True)}</p>'
    )


def _health(event: TimelineEvent) -> str:
    data, kind = event.data, escape(event.kind)
    return (
        f'<div class="activity__title">Health turned <span class="badge badge--{kind}">{escape(title(event.kind))}'
        f'</span> <span class="muted">from {escape(title(data.get("before") or ""))} · score '
        f"{score(data.get('score'))}</span></div>"
    )


def _answer(event: TimelineEvent) -> str:
    data = event.data
    who = f' <span class="muted">from {_text(data["who"])}</span>' if data.get("who") else ""
    comment = f'<p class="activity__text">“{_text(data["comment"])}”</p>' if data.get("comment") else ""
    return (
        f'<div class="activity__title">{escape(event.kind.upper())} answer <strong>{_text(data.get("score"))}'
        f"</strong>{who}</div>{comment}"
    )


def _ticket(event: TimelineEvent) -> str:
    data = event.data
    subject = data.get("subject") or data.get("external_id")
    return (
        f'<div class="activity__title">Ticket opened: {_text(subject)} '
        f'<span class="muted">· {escape(title(event.kind))} priority</span></div>'
    )


def _subscription(event: TimelineEvent) -> str:
    data = event.data
    plan = data.get("plan")
    mrr = escape(money_exact(data.get("mrr")))
    if event.kind == "started":
        what = f"started{f' on {_text(plan)}' if plan else ''} at {mrr}/month"
    elif event.kind == "changed":
        what = (
            f"changed from {escape(money_exact(data.get('before_mrr')))} to {mrr}/month"
            f"{f' ({_text(plan)})' if plan else ''}"
        )
    else:
        what = f'ended <span class="muted">(was {mrr}/month)</span>'
    return (
        f'<div class="activity__title">Subscription <span class="mono">{_text(data.get("subscription"))}'
        f"</span> {what}</div>"
    )


def _task(event: TimelineEvent) -> str:
    data, opened = event.data, event.kind == "opened"
    if opened:
        who = f"for {_text(data['assignee'])}" if data.get("assignee") else "unassigned"
    else:
        who = f"by {_text(data['by'])}" if data.get("by") else ""
    note = f'<p class="activity__text">{_text(data["note"])}</p>' if not opened and data.get("note") else ""
    return (
        f'<div class="activity__title">Task {"opened" if opened else "closed"}: {_text(data.get("title"))} '
        f'<span class="muted">· {who}</span></div>{note}'
    )


_BODIES = {
    "health": _health,
    "answer": _answer,
    "ticket": _ticket,
    "subscription": _subscription,
    "task": _task,
}


@register.simple_tag
def timeline_events(events: Iterable[TimelineEvent], viewer_id: int | None) -> SafeString:
    """The <li>s of the timeline, latest first: a heading for each new day, then each event in words (what was
    logged, with an Edit link for its author, `viewer_id`; health changes, answers, tickets, subscriptions,
    tasks)."""
    lines, day = [], None
    for event in events:
        if event.day != day:
            day = event.day
            lines.append(f'<li class="activity__day"><h3>{date_format(day)}</h3></li>')
        source = escape(event.source)
        icon = f" activity__icon--{escape(event.kind)}" if event.source == "health" else ""
        body = _logged(event, viewer_id) if event.source == "logged" else ""
        if event.source in _BODIES:
            body = _BODIES[event.source](event)
        lines.append(
            f'<li class="activity__item activity__item--{source}" data-source="{source}">'
            f'<span class="activity__icon activity__icon--{source}{icon}" aria-hidden="true"></span>'
            f'<div class="activity__body">{body}</div></li>'
        )
    return mark_safe("\n".join(lines))  # escaped above
