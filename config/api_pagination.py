"""The API's pages (DATA.md "REST API", README "API"): PAGE_SIZE (100) objects a page as `count`, `next`, `previous` and
`results`, opened by number (`?page=N`) or by cursor (`?cursor=…`, the `next` and `previous` links).

A page by number has to read past the rows before it: page 750 of 100,000 accounts read and sorted all of them
(82 ms). Two things make long lists cheap:
- `next` and `previous` are keyset cursors when the list is a queryset in a unique order of non-null fields: the
  page after a cursor is `WHERE (key) > (the last row's key) ORDER BY key LIMIT 101`, an index range, so walking a
  list by `next` costs the same at its end as at its start. Any other list (a Python list, a nullable or
  non-unique order) keeps page-number links.
- a page by number selects the primary keys of its rows first (`pk IN (SELECT pk … OFFSET … LIMIT 100)`), which an
  index-only scan answers, and then reads only those rows (page 750 of the accounts: 46 ms → 6 ms).

A cursor is base64 of JSON: the direction ("after" or "before") and the key of the row it starts from. The order
is unique when its last field is the model's primary key or a unique field of the model itself; a view whose
order is unique for another reason (the health scores of one day: one row per account, ordered by the account's
external id) says so with `cursor_order_unique = True`.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Field, Model, Q, QuerySet
from django.db.models.query import ModelIterable
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

Key = list[tuple[str, bool]]  # (field path, descending) of the order, in order


class DeferredPaginator(Paginator):
    """Page N of a queryset reads its rows' primary keys past the offset, then those rows only."""

    def page(self, number: Any) -> Page:
        rows = self.object_list
        if not isinstance(rows, QuerySet) or rows.model._meta.is_composite_pk:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        return Page(rows.filter(pk__in=rows.values("pk")[bottom:top]), number, self)


@dataclass
class _Shown:
    """The rows of the page answered, the list's count, and whether rows come before and after them."""

    rows: list[Any]
    count: int
    before: bool
    after: bool


class KeelPagination(PageNumberPagination):
    cursor_query_param = "cursor"
    django_paginator_class = DeferredPaginator

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list[Any] | None:
        self.asked = request
        self.key = _order_key(queryset, trusted=getattr(view, "cursor_order_unique", False))
        cursor = request.query_params.get(self.cursor_query_param)
        if cursor is None or self.key is None:
            rows = super().paginate_queryset(queryset, request, view)
            page = self.page
            if rows is None or page is None:
                return rows
            self.shown = _Shown(list(rows), page.paginator.count, page.has_previous(), page.has_next())
            return rows
        direction, values = _decode(cursor, len(self.key))
        size = self.get_page_size(request) or 100
        try:
            rows = list(_after(queryset, self.key, values, before=direction == "before")[: size + 1])
        except (DjangoValidationError, ValueError, TypeError):  # a value that is not of its field's type
            raise _not_a_cursor() from None
        more = len(rows) > size
        rows = rows[:size]
        if direction == "before":
            rows.reverse()
        # a cursor was made from a row next to it: rows are on that side, unless they went meanwhile
        started_from = bool(rows)
        self.shown = _Shown(
            rows,
            queryset.count(),
            more if direction == "before" else started_from,
            more if direction == "after" else started_from,
        )
        return rows

    def get_paginated_response(self, data: Any) -> Response:
        return Response(
            {
                "count": self.shown.count,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_next_link(self) -> str | None:
        if not self.shown.after:
            return None
        return self._cursor_link("after", self.shown.rows[-1]) or super().get_next_link()

    def get_previous_link(self) -> str | None:
        if not self.shown.before:
            return None
        return self._cursor_link("before", self.shown.rows[0]) or super().get_previous_link()

    def _cursor_link(self, direction: str, row: Model) -> str | None:
        if self.key is None:
            return None
        url = remove_query_param(self.asked.build_absolute_uri(), self.page_query_param)
        values = [_value_of(row, path) for path, _ in self.key]
        return replace_query_param(url, self.cursor_query_param, _encode(direction, values))

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            *super().get_schema_operation_parameters(view),
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "a position in the list, from a `next` or `previous` link",
                "schema": {"type": "string"},
            },
        ]


def _order_key(queryset: Any, *, trusted: bool) -> Key | None:
    """The queryset's order as (field path, descending) when it is unique and of non-null fields, else None."""
    if not isinstance(queryset, QuerySet) or queryset._iterable_class is not ModelIterable:  # rows, not dicts
        return None
    query = queryset.query
    order = query.order_by or (query.get_meta().ordering if query.default_ordering else ())
    if not order or not all(isinstance(field, str) for field in order):
        return None
    key: Key = [(str(field).removeprefix("-"), str(field).startswith("-")) for field in order]
    fields = [_field_of(queryset.model, path) for path, _ in key]
    if any(field is None for field in fields):
        return None
    last, own = fields[-1], "__" not in key[-1][0]
    if not (trusted or (own and (last.primary_key or last.unique))):
        return None
    return key


def _field_of(model: type[Model], path: str) -> Any:
    """The model field a path (`account__external_id`, `pk`) names when neither it nor a relation on the way
    can be null (a null has no place in `WHERE key > …`), else None."""
    *hops, name = path.split("__")
    try:
        for hop in hops:
            relation = model._meta.get_field(hop)
            if (
                not isinstance(relation, Field)
                or relation.null
                or not (relation.many_to_one or relation.one_to_one)
            ):
                return None
            model = relation.related_model  # type: ignore[assignment]
        field = model._meta.pk if name == "pk" else model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    if (
        not isinstance(field, Field)
        or field.null
        or (model._meta.is_composite_pk and field is model._meta.pk)
    ):
        return None
    return field


def _value_of(row: Model, path: str) -> Any:
    value: Any = row
    for hop in path.split("__"):
        value = getattr(value, hop)
    return value


def _after(queryset: QuerySet[Any], key: Key, values: list[Any], *, before: bool) -> QuerySet[Any]:
    """The rows after `values` in the order of `key` (before them, in reverse order, when `before`)."""
    where = Q()
    for at, (path, descending) in enumerate(key):
        beyond = "lt" if descending != before else "gt"
        step = Q(**{f"{path}__{beyond}": values[at]})
        for earlier in range(at):
            step &= Q(**{key[earlier][0]: values[earlier]})
        where |= step
    # The same bound on the first field alone, which an index on the order can start its range at (the OR
    # above it cannot).
    first, descending = key[0]
    rows = queryset.filter(where, **{f"{first}__{'lte' if descending != before else 'gte'}": values[0]})
    if before:
        rows = rows.order_by(*(path if descending else f"-{path}" for path, descending in key))
    return rows


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()  # full precision: DjangoJSONEncoder would cut datetimes to milliseconds
    if isinstance(value, Decimal | UUID):
        return str(value)
    return value


def _encode(direction: str, values: list[Any]) -> str:
    raw = json.dumps([direction, [_plain(value) for value in values]], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(cursor: str, length: int) -> tuple[str, list[Any]]:
    try:
        direction, values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if direction not in ("after", "before") or not isinstance(values, list) or len(values) != length:
            raise ValueError
        if not all(isinstance(value, str | int | float) for value in values):
            raise ValueError
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise _not_a_cursor() from None
    return direction, values


def _not_a_cursor() -> ValidationError:
    return ValidationError(
        {"cursor": "Not a cursor of this list: use the `next` and `previous` links as given."}
    )
