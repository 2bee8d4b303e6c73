"""What the raw-facts resources of the API share (DATA.md §2): reading a JSON body into the importer's records,
who may write which account, the importer's problems as API errors, and counting for the Data sources page.

Who may write: VPs and admins write every account's facts; a CSM writes only the facts of the accounts they own
today. A record outside a CSM's book is a 404 when its URL names it, and a reference to an account (or
contact) outside it is an "unknown account" error, worded as for an account that does not exist, so a CSM
cannot tell which ids exist. Reads are scoped the same way (`accounts_for_user`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import transaction
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.importers.fields import shown
from accounts.importers.records import RecordProblem, RecordsResult, records_import
from accounts.importers.report import FileCounts
from accounts.importers.specs import FileSpec
from accounts.models import Account, Contact, DataSource, User
from accounts.selectors import accounts_for_user
from accounts.services import source_accepted, source_rejected

Error = dict[str, str | None]
MAX_ID = 200  # an external id's length (the importer's `_id` columns)
MAX_ERRORS = 100  # errors listed for one request; the importer's report goes on to 10,000


class ErrorsSerializer(serializers.Serializer[Any]):
    """The one error shape of the API (config.api_errors), for the schema."""

    errors = serializers.ListField(child=serializers.DictField(allow_null=True))  # type: ignore[assignment]


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    return {code: OpenApiResponse(ErrorsSerializer, description="errors") for code in codes}


class Refused(Exception):
    """A request refused with `status` and its errors (400: bad input, 403: not allowed, 404: not found)."""

    def __init__(self, status: int, errors: list[Error]) -> None:
        super().__init__(errors[0]["message"] if errors else "")
        self.status = status
        self.errors = errors


def refused(status: int, field: str | None, message: str) -> Refused:
    return Refused(status, [{"field": field, "message": message}])


def _storable(text: str | None, limit: int = 300) -> str | None:
    """Text PostgreSQL takes whatever a request held: no NUL, no lone surrogate, cut short."""
    if text is None:
        return None
    return text[:limit].replace("\x00", "\\0").encode("utf-8", "replace").decode("utf-8")


def refused_response(request: Request, error: Refused, *, records: int = 1) -> Response:
    """The refusal as a response, counted as rejected by the API source (never the body: its path and the
    first errors)."""
    errors = [{"field": _storable(e["field"]), "message": _storable(e["message"])} for e in error.errors[:5]]
    source_rejected(
        DataSource.API,
        _storable(str(error), 2000) or "refused",
        detail={"method": request.method, "path": _storable(request.path), "errors": errors},
        count=records,
    )
    return Response({"errors": error.errors}, status=error.status)


def _text(value: Any, field: str) -> str | None:
    """A JSON value as the text of a CSV cell: strings as they are, numbers as written, null as blank."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        raise refused(400, field, "expected a string or a number, not true or false")
    if isinstance(value, int | float):
        return str(value)
    raise refused(400, field, "expected a string, a number or null")


def body_object(data: Any, field: str | None = None) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise refused(400, field, "expected a JSON object")
    return data


def record_from(
    data: Any, *, columns: Iterable[str], prefix: str = "", fixed: Mapping[str, str] | None = None
) -> dict[str, str | None]:
    """A body (a JSON object) as an importer record: every key must be one of `columns`; `fixed` are the
    values the URL gives (a key the body may repeat, but only with the same value)."""
    body = body_object(data, prefix.rstrip(".") or None)
    allowed = [*columns, *(key for key in fixed or {} if key not in columns)]
    errors: list[Error] = [
        {"field": f"{prefix}{key}", "message": f"unknown field; this takes {', '.join(allowed)}"}
        for key in body
        if key not in allowed
    ]
    if errors:
        raise Refused(400, errors)
    record = {key: _text(value, f"{prefix}{key}") for key, value in body.items()}
    for key, value in (fixed or {}).items():
        if key in record and record[key] != value:
            raise refused(400, f"{prefix}{key}", f"must be {shown(value)}, as in the URL, or left out")
        record[key] = value
    return record


def problems_as_errors(problems: Sequence[RecordProblem], *, item: str | None = None) -> list[Error]:
    """The importer's `file:line: column: reason` as {"field", "message"}: the column, or `item[i].column`
    for the i-th record of a list."""
    errors: list[Error] = []
    for problem in problems:
        column = problem.column if problem.column not in ("row", "header", "") else None
        field: str | None
        if item is not None and problem.index is not None:
            field = f"{item}[{problem.index}]" + (f".{column}" if column else "")
        else:
            field = column
        # The header of the one-file bundle is the request's fields: a required column missing is a field left out.
        reason = "a value is required" if problem.reason == "required column is missing" else problem.reason
        errors.append({"field": field, "message": reason})
    return errors


def external_id_checked(value: str, field: str = "id") -> str:
    """An external id from a URL: what the importer takes for an id (400 otherwise)."""
    if len(value) > MAX_ID:
        raise refused(400, field, f"longer than {MAX_ID} characters")
    if "\x00" in value:
        raise refused(400, field, "contains a NUL character")
    if not value.strip():
        raise refused(400, field, "a value is required")
    return value


def readable_id(value: str) -> bool:
    """Whether `value` can name a stored record at all (else a read answers 404 without asking the database)."""
    return 0 < len(value) <= MAX_ID and "\x00" not in value


def _outside(field: str | None, column: str, index: int, item: str | None) -> str:
    return f"{item}[{index}].{column}" if item is not None else (field or column)


def book_check(
    user: User,
    records: Sequence[Mapping[str, str | None]],
    *,
    column: str = "account_id",
    item: str | None = None,
    field: str | None = None,
) -> None:
    """A CSM may only refer to accounts (`column` account_id) or contacts (contact_id) of their own book; VPs
    and admins to any. Refused(400) naming each record that refers outside it."""
    if user.is_vp:
        return
    wanted = {value for record in records if (value := record.get(column))}
    found = (
        Contact.objects.filter(account__csm=user, external_id__in=wanted)
        if column == "contact_id"
        else accounts_for_user(user).filter(external_id__in=wanted)
    )
    own = set(found.values_list("external_id", flat=True))
    noun = "contact" if column == "contact_id" else "account"
    errors: list[Error] = []
    for index, record in enumerate(records):
        value = record.get(column)
        if value and value not in own:
            errors.append(
                {"field": _outside(field, column, index, item), "message": f"unknown {noun} {shown(value)}"}
            )
            if len(errors) >= MAX_ERRORS:
                break
    if errors:
        raise Refused(400, errors)


def visible_or_404(user: User, account: Account | None, noun: str) -> None:
    """A stored record of an account outside `user`'s book is a 404, as on the pages."""
    if account is not None and not user.is_vp and account.csm_id != user.pk:
        raise refused(404, None, f"No such {noun}.")


def records_write(
    *, spec: FileSpec, records: Sequence[Mapping[str, str | None]], item: str | None = None
) -> FileCounts:
    """The records through the importer (all or nothing), counted as accepted by the API source in the same
    transaction; Refused(400) with the importer's problems as fields."""
    with transaction.atomic():
        result: RecordsResult = records_import(spec=spec, records=records)
        if result.ok:
            source_accepted(DataSource.API, len(records))
    if not result.ok:
        raise Refused(400, problems_as_errors(result.problems, item=item))
    assert result.counts is not None
    return result.counts
