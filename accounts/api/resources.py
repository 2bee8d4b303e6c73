"""The shape of a raw-facts resource keyed by an external id (contacts, tickets, survey responses; accounts
and subscriptions add to it): list with filters, read one, PUT one (create or update through the importer,
idempotent), DELETE one where the facts allow it.

`PUT /api/v1/<resource>/<external_id>/` answers 201 with the record when it created it, 200 when it updated it
or found it as sent. A field left out keeps the stored value and a null (or "") clears it, as a column left out
of a bundle file and a blank value do (DATA.md §1).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db.models import Model, QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ParseError
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.api.base import (
    Refused,
    book_check,
    external_id_checked,
    readable_id,
    record_from,
    records_write,
    refused,
    refused_response,
    visible_or_404,
)
from accounts.api_fields import request_user
from accounts.importers.specs import FileSpec
from accounts.models import Account, User
from accounts.selectors import visible_to


def request_body(request: Request) -> Any:
    """The parsed body; Refused(400) when it does not parse, 413 past DATA_UPLOAD_MAX_MEMORY_SIZE."""
    try:
        return request.data
    except ParseError as error:
        raise refused(400, None, str(error.detail)) from None
    except RequestDataTooBig:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raise refused(413, None, f"The body is larger than {limit // (1024 * 1024)} MB.") from None


class FactViewSet(viewsets.GenericViewSet[Any]):
    """One resource: `spec` is its bundle file, `noun` names it in messages, `references` are the columns a
    CSM may fill only with their own book's ids. Subclasses set `queryset`, `serializer_class`,
    and `filterset_class`; DeleteMixin adds DELETE."""

    spec: ClassVar[FileSpec]
    noun: ClassVar[str]
    references: ClassVar[tuple[str, ...]] = ("account_id",)
    lookup_field = "external_id"
    lookup_url_kwarg = "external_id"
    lookup_value_regex = "[^/]+"
    filter_backends = [DjangoFilterBackend]

    @property
    def columns(self) -> list[str]:
        return [column.name for column in self.spec.columns if column.name != "id"]

    def get_queryset(self) -> QuerySet[Any]:
        return visible_to(request_user(self.request), super().get_queryset())

    def stored(self, external_id: str) -> Model | None:
        """The record as stored, whoever's it is (a PUT on another CSM's record is a 404, not a create)."""
        model = self.get_queryset().model
        return model._default_manager.select_related("account").filter(external_id=external_id).first()

    def record_account(self, record: Model) -> Account | None:
        account = getattr(record, "account", None)
        return account if isinstance(account, Account) else None

    def one(self, external_id: str) -> Model:
        if not readable_id(external_id):
            raise refused(404, None, f"No such {self.noun}.")
        found = self.get_queryset().filter(external_id=external_id).first()
        if found is None:
            raise refused(404, None, f"No such {self.noun}.")
        return found

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        assert page is not None
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request: Request, external_id: str) -> Response:
        try:
            return Response(self.get_serializer(self.one(external_id)).data)
        except Refused as error:
            return Response({"errors": error.errors}, status=error.status)

    def prepare(self, user: User, record: dict[str, str | None], existing: Model | None) -> None:
        """Checks and defaults of a resource before the importer sees the record (accounts: the CSM)."""
        for column in self.references:
            book_check(user, [record], column=column)

    def update(self, request: Request, external_id: str) -> Response:
        user = request_user(request)
        try:
            external_id_checked(external_id)
            existing = self.stored(external_id)
            visible_or_404(user, self.record_account(existing) if existing else None, self.noun)
            record = record_from(request_body(request), columns=self.columns, fixed={"id": external_id})
            self.prepare(user, record, existing)
            counts = records_write(spec=self.spec, records=[record])
        except Refused as error:
            return refused_response(request, error)
        saved = self.get_queryset().model._default_manager.get(external_id=external_id)
        return Response(self.get_serializer(saved).data, status=201 if counts.created else 200)


class DeleteMixin:
    """DELETE of one record (204), for the facts that may be taken back: see README "API"."""

    def destroy(self, request: Request, external_id: str) -> Response:
        assert isinstance(self, FactViewSet)
        try:
            self.one(external_id).delete()
        except Refused as error:
            return refused_response(request, error)
        return Response(status=204)


class ExternalIdSerializer(serializers.ModelSerializer[Any]):
    """Keel's own primary keys never leave the database: records are named by their external ids."""

    id = serializers.CharField(source="external_id", read_only=True)
    account_id = serializers.CharField(source="account.external_id", read_only=True)
