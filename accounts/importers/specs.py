"""The files of a CSV bundle: their columns, how each value parses, and the rules inside one row (DATA.md §1).

Rules across rows, files and what Keel already holds are set-based SQL in `rules.py`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import partial
from typing import Any

from django.conf import settings

from accounts.importers import fields
from accounts.models import SCALES, Interval, Priority, Role, SurveyKind, TicketStatus

Value = str | int | date | datetime | Decimal
# A rule inside one row: given the parsed values of the row (present, valid columns only), yields
# (column, reason) for each problem.
RowRule = Callable[[Mapping[str, Any]], Iterator[tuple[str, str]]]


@dataclass(frozen=True)
class Column:
    name: str
    parse: Callable[[str], Value]
    sql_type: str  # the staging column's type
    required: bool = False
    # What a blank value in a present (optional) column stores: None is NULL, else the column's "cleared" value.
    blank: Callable[[], Value | None] = lambda: None
    # Plain text up to this length: the reader takes it as it is without calling `parse` (the hot path of
    # files with millions of rows); `parse` still gives the reason when it is not.
    text_limit: int | None = None


@dataclass(frozen=True)
class FileSpec:
    name: str  # "accounts.csv"
    key: str  # "accounts": the summary's name and the staging table's suffix
    columns: tuple[Column, ...]
    row_rules: tuple[RowRule, ...] = ()

    @property
    def table(self) -> str:
        return f"imp_{self.key}"


def _text(name: str, max_length: int, *, required: bool = False, null: bool = False) -> Column:
    return Column(
        name,
        partial(fields.parse_text, max_length=max_length),
        "text",
        required,
        (lambda: None) if null else (lambda: ""),
        text_limit=max_length,
    )


def _id(name: str, *, required: bool = True) -> Column:
    return _text(name, 200, required=required, null=True)


def _choice(name: str, choices: list[str], *, required: bool = False, blank: str = "") -> Column:
    return Column(name, partial(fields.parse_choice, choices=choices), "text", required, lambda: blank)


def _datetime(name: str, *, required: bool = False) -> Column:
    return Column(name, fields.parse_datetime, "timestamptz", required)


def _date(name: str, *, required: bool = False) -> Column:
    return Column(name, fields.parse_date, "date", required)


def _whole(name: str, *, minimum: int = 0, blank: int | None = None) -> Column:
    return Column(name, partial(fields.parse_whole, minimum=minimum), "integer", False, lambda: blank)


def _money(name: str) -> Column:
    return Column(name, fields.parse_money, "numeric", True)


def _currency() -> Column:
    return Column("currency", fields.parse_currency, "text", False, lambda: settings.KEEL_CURRENCY)


def _lower_email(text: str) -> str:
    return fields.parse_email(text).lower()


def _ends_after_start(row: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    starts_on, ends_on = row.get("starts_on"), row.get("ends_on")
    if starts_on is not None and ends_on is not None and ends_on <= starts_on:
        yield "ends_on", f"{ends_on} is not after starts_on {starts_on} (ends_on ≤ starts_on)"


def _renews_after_start(row: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    starts_on, renews_on = row.get("starts_on"), row.get("renews_on")
    if starts_on is not None and renews_on is not None and renews_on <= starts_on:
        yield (
            "renews_on",
            f"{renews_on} is not after starts_on {starts_on} (the first term ends after the start)",
        )


def _not_before_created(column: str) -> RowRule:
    def rule(row: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
        created_at, value = row.get("created_at"), row.get(column)
        if created_at is not None and value is not None and value < created_at:
            yield column, f"{value.isoformat()} is before created_at {created_at.isoformat()}"

    return rule


def _score_in_scale(row: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    kind, score = row.get("kind"), row.get("score")
    if kind is None or score is None:
        return
    low, high = SCALES[SurveyKind(kind)]
    if not low <= score <= high:
        yield "score", f"{score} is outside the {kind} scale {low}–{high}"


TEAM = FileSpec(
    "team.csv",
    "team",
    (
        Column("email", _lower_email, "text", required=True),
        _text("name", 200, required=True),
        _choice("role", Role.values, required=True),
    ),
)

ACCOUNTS = FileSpec(
    "accounts.csv",
    "accounts",
    (
        _id("id"),
        _text("name", 300, required=True),
        _text("segment", 100, null=True),
        Column("csm_email", _lower_email, "text"),
        _date("created_on"),
        _whole("seats"),
    ),
)

CONTACTS = FileSpec(
    "contacts.csv",
    "contacts",
    (
        _id("id"),
        _id("account_id"),
        Column("email", fields.parse_email, "text", required=True),
        _text("name", 200),
        _text("title", 200),
    ),
)

SUBSCRIPTIONS = FileSpec(
    "subscriptions.csv",
    "subscriptions",
    (
        _id("subscription_id"),
        _id("account_id"),
        _money("amount"),
        _choice("interval", Interval.values, required=True),
        _date("starts_on", required=True),
        _date("ends_on"),
        _text("plan", 300),
        _currency(),
        _date("renews_on"),
        _choice("term", Interval.values),
    ),
    row_rules=(_ends_after_start, _renews_after_start),
)

TICKETS = FileSpec(
    "tickets.csv",
    "tickets",
    (
        _id("id"),
        _id("account_id"),
        _datetime("created_at", required=True),
        _datetime("first_response_at"),
        _datetime("resolved_at"),
        _choice("priority", Priority.values, blank=Priority.NORMAL),
        _choice("status", TicketStatus.values),
        _whole("replies"),
        _text("subject", 500),
    ),
    row_rules=(_not_before_created("first_response_at"), _not_before_created("resolved_at")),
)

USAGE = FileSpec(
    "usage.csv",
    "usage",
    (
        _id("account_id"),
        _text("user_id", 200, required=True),
        _text("event", 200, required=True),
        _datetime("occurred_at", required=True),
        _whole("count", minimum=1, blank=1),
    ),
)

SPEND = FileSpec(
    "spend.csv",
    "spend",
    (
        Column("month", fields.parse_month, "date", required=True),
        _money("amount"),
        _currency(),
    ),
)

RESPONSES = FileSpec(
    "responses.csv",
    "responses",
    (
        _id("id"),
        _choice("kind", SurveyKind.values, required=True),
        Column("score", fields.parse_integer, "integer", required=True),
        _datetime("responded_at", required=True),
        _id("contact_id", required=False),
        _id("account_id", required=False),
        _text("comment", fields.MAX_TEXT),
    ),
    row_rules=(_score_in_scale,),
)

# Dependency order: a file's references point only to files before it. Reports list files in this order too.
SPECS = (TEAM, ACCOUNTS, CONTACTS, SUBSCRIPTIONS, TICKETS, USAGE, SPEND, RESPONSES)
SPECS_BY_NAME = {spec.name: spec for spec in SPECS}
