"""Template tags of the dashboards: `{% load dashboard_tags %}`.

`group_rows` renders the rows of the CSM and segment tables in Python, `renewal_rows` those of a CSM's renewals.
A company has a few hundred CSMs, and the template language spends some 30 µs a cell on variable lookups,
filters and escaping (Django's escaping alone, through its lazy-string wrapper, cost 20 ms a page): the table
took most of the page's time at 100k accounts, and a book's hundred and fifty renewals 7 ms. One f-string a row,
with the standard library's escaping of what users typed (names, segments; the numbers are Keel's own), keeps it
to a few milliseconds. The cells are those the template wrote.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import lru_cache
from html import escape
from typing import Any
from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe

from accounts.templatetags.keel import money
from health.templatetags.health_tags import percent, score
from metrics.selectors.dashboards import GroupRow
from metrics.selectors.figures import value_text
from metrics.selectors.renewals import Renewal

register = template.Library()


@register.filter
def month_label(month: date | None, in_progress: date | None = None) -> str:
    """A month as the dashboards write it, "Mar 2026", and "Mar 2026 (month to date)" for the month still running
    (`{{ month|month_label:months.in_progress }}`): its figures are as of yesterday, not of its last day."""
    if month is None:
        return ""
    label = date_format(month, "YEAR_MONTH_FORMAT")
    return f"{label} (month to date)" if month == in_progress else label


@register.filter
def month_choices(months: Any) -> list[tuple[str, str, date]]:
    """The month picker's options of a MonthRange, (YYYY-MM, label, month), labelled once for both of its selects."""
    return [(f"{month:%Y-%m}", month_label(month, months.in_progress), month) for month in months.available]


@lru_cache(maxsize=1)
def _drill_around() -> tuple[str, str, str]:
    before, _, rest = reverse("drilldown", args=["figure", "2000-01"]).partition("figure")
    between, _, after = rest.partition("2000-01")
    return before, between, after


@register.simple_tag
def drill_url(figure: str, month: str, query: str = "") -> str:
    """The drill-down of `figure` in `month` (YYYY-MM) with the dashboard's `query`: the URL reversed once per
    process, not once a cell. Measured on the company dashboard (about 100 links): {% url %} cost 9.8 ms of a
    request on a loaded machine, this 0.3 ms."""
    before, between, after = _drill_around()
    return f"{before}{figure}{between}{month}{after}{query}"


def _around_pk(name: str) -> tuple[str, str]:
    """The URL named `name` before and after its pk: reversed once, not once a row."""
    before, _, after = reverse(name, args=[0]).rpartition("0")
    return before, after


def _name(row: GroupRow, kind: str, dashboard_url: tuple[str, str]) -> str:
    if kind == "csm":
        if row.csm is None:
            return '<span class="muted">No CSM</span>'
        inactive = "" if row.csm.is_active else ' <span class="muted">(inactive)</span>'
        before, after = dashboard_url
        return f'<a href="{before}{row.csm.pk}{after}">{escape(row.label)}</a>{inactive}'
    if row.segment:
        return escape(row.segment)
    return '<span class="muted">No segment</span>'


def _value(value: object) -> str:
    return "" if value is None else escape(str(value))


@register.simple_tag
def group_rows(rows: Iterable[GroupRow], kind: str, at_risk_url: str) -> SafeString:
    """The <tr>s of a CSM (`kind` "csm") or segment table: name (a CSM's links to their dashboard), accounts, MRR,
    NRR 12m, at-risk ARR (linked to its drill-down for the row's group) and average health, each cell with the
    `data-value` the page script sorts by."""
    dashboard_url, at_risk = _around_pk("csm_dashboard"), escape(at_risk_url)
    lines = []
    for row in rows:
        group = (
            {"csm": row.csm.pk if row.csm else "none"} if kind == "csm" else {"segment": row.segment or ""}
        )
        lines.append(
            f'<tr><th scope="row" data-value="{escape(row.label.lower())}">{_name(row, kind, dashboard_url)}</th>'
            f'<td class="num" data-value="{row.customers}">{row.customers}</td>'
            f'<td class="num" data-value="{_value(row.mrr)}">{money(row.mrr)}</td>'
            f'<td class="num" data-value="{_value(row.nrr_12m)}">{percent(row.nrr_12m)}</td>'
            f'<td class="num" data-value="{_value(row.at_risk_arr)}">'
            f'<a href="{at_risk}?{escape(urlencode(group))}">{money(row.at_risk_arr)}</a></td>'
            f'<td class="num" data-value="{_value(row.average_health)}">{score(row.average_health)}</td></tr>'
        )
    return mark_safe("\n".join(lines))  # every value above is escaped or a number of Keel's own


def _health(renewal: Renewal) -> str:
    if renewal.score is None:
        return '<span class="muted">—</span>'
    at_risk = ' <span class="badge badge--danger">At risk</span>' if renewal.at_risk else ""
    status = escape(renewal.status or "none")
    return f'<span class="health-chip health-chip--{status}">{score(renewal.score)}</span>{at_risk}'


@register.simple_tag
def renewal_rows(renewals: Iterable[Renewal]) -> SafeString:
    """The <tr>s of a CSM's renewals: the day, the account (linked to its page), the subscription, its billing,
    its ARR, and the account's health today (score, status, at risk)."""
    before, after = _around_pk("account_detail")
    return mark_safe(  # every value is escaped or a number of Keel's own
        "\n".join(
            f'<tr><td class="nowrap">{date_format(renewal.on)}</td>'
            f'<td><a href="{before}{renewal.account_id}{after}">{escape(renewal.account_name)}</a></td>'
            f'<td class="mono hide-sm">{escape(renewal.subscription_id)}</td>'
            f'<td class="hide-sm">{escape(str(renewal.interval))}</td>'
            f'<td class="num">{money(renewal.arr)}</td>'
            f'<td class="num">{_health(renewal)}</td></tr>'
            for renewal in renewals
        )
    )


@register.filter
def rate(value: object) -> str:
    """A rate as the dashboards write it (figures.value_text): 0.9 → "90.0%", rounded half up on the exact value."""
    return value_text("rate", value)
