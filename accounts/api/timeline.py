"""`/api/v1/timeline/`: the calls, meetings, emails and notes logged on accounts' timelines (what a dialer or a
mail integration logs; Keel's own events are in the other resources). Scoped like the pages: an entry of an
account the caller sees; only its author changes or deletes it (accounts.services.timeline)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.base import error_responses
from accounts.api_fields import paginated, request_user
from accounts.models import Account, Contact, TimelineEntry
from accounts.selectors import accounts_for_user, visible_to
from accounts.services import timeline_entry_create, timeline_entry_delete, timeline_entry_update
from accounts.services.timeline import MAX_TEXT


class TimelineEntrySerializer(serializers.ModelSerializer[TimelineEntry]):
    account_id = serializers.CharField(source="account.external_id")
    author = serializers.EmailField(source="author.email", allow_null=True, default=None)
    contacts = serializers.SerializerMethodField()

    class Meta:
        model = TimelineEntry
        fields = [
            "id",
            "account_id",
            "kind",
            "occurred_on",
            "text",
            "contacts",
            "author",
            "created_at",
            "updated_at",
        ]

    def get_contacts(self, entry: TimelineEntry) -> list[str]:
        """The contacts' external ids."""
        return [contact.external_id for contact in entry.contacts.all()]


class TimelineEntryWrite(serializers.Serializer[dict[str, Any]]):
    account_id = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=TimelineEntry.Kind.choices)
    occurred_on = serializers.DateField()
    text = serializers.CharField(max_length=MAX_TEXT)
    contacts = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, default=list, max_length=100
    )


class TimelineQuery(serializers.Serializer[dict[str, Any]]):
    account_id = serializers.CharField(max_length=200, required=False)


def _entries(request: Request) -> QuerySet[TimelineEntry]:
    return (
        visible_to(request_user(request), TimelineEntry.objects.all())
        .select_related("account", "author")
        .prefetch_related("contacts")
        .order_by("-occurred_on", "-pk")
    )


def _written(request: Request, *, account: Account | None = None) -> tuple[Account, dict[str, Any]]:
    """The body checked: the account (one the caller sees, by external id) and the service's arguments."""
    body = TimelineEntryWrite(data=request.data)
    body.is_valid(raise_exception=True)
    data = body.validated_data
    if account is None:
        account = accounts_for_user(request_user(request)).filter(external_id=data["account_id"]).first()
        if account is None:
            raise ValidationError({"account_id": "No account you can see has this id."})
    elif data["account_id"] != account.external_id:
        raise ValidationError({"account_id": "An entry stays on its account."})
    wanted = set(data["contacts"])
    contacts = dict(
        Contact.objects.filter(account=account, external_id__in=wanted).values_list("external_id", "pk")
    )
    missing = sorted(wanted - set(contacts))
    if missing:
        raise ValidationError({"contacts": f"Not contacts of this account: {', '.join(missing)}."})
    arguments = {
        "kind": data["kind"],
        "occurred_on": data["occurred_on"],
        "text": data["text"],
        "contact_ids": list(contacts.values()),
    }
    return account, arguments


def _service_errors(error: DjangoValidationError) -> ValidationError:
    return ValidationError(error.message_dict if hasattr(error, "error_dict") else {"detail": error.messages})


class TimelineView(GenericAPIView[TimelineEntry]):
    serializer_class = TimelineEntrySerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("account_id", str, required=False, description="an account's external id")
        ],
        operation_id="timeline_list",
        responses={200: paginated(TimelineEntrySerializer)},
        description="Logged entries of the accounts the caller sees, latest first, paginated in `results`.",
    )
    def get(self, request: Request) -> Response:
        query = TimelineQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        entries = _entries(request)
        if query.validated_data.get("account_id"):
            entries = entries.filter(account__external_id=query.validated_data["account_id"])
        page = self.paginate_queryset(entries)
        assert page is not None
        return self.get_paginated_response(TimelineEntrySerializer(page, many=True).data)

    @extend_schema(
        operation_id="timeline_create",
        request=TimelineEntryWrite,
        responses={201: TimelineEntrySerializer, **error_responses(400)},
        description="Log a call, meeting, email or note on an account, by the caller (its author).",
    )
    def post(self, request: Request) -> Response:
        account, arguments = _written(request)
        try:
            entry = timeline_entry_create(account=account, author=request_user(request), **arguments)
        except DjangoValidationError as error:
            raise _service_errors(error) from None
        return Response(TimelineEntrySerializer(_entries(request).get(pk=entry.pk)).data, status=201)


class TimelineEntryView(APIView):
    def _entry(self, request: Request, pk: int) -> TimelineEntry:
        entry = _entries(request).filter(pk=pk).first()
        if entry is None:
            raise NotFound("No such timeline entry.")
        return entry

    @extend_schema(
        operation_id="timeline_retrieve",
        responses={200: TimelineEntrySerializer, **error_responses(404)},
        description="One logged entry.",
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(TimelineEntrySerializer(self._entry(request, pk)).data)

    @extend_schema(
        operation_id="timeline_update",
        request=TimelineEntryWrite,
        responses={200: TimelineEntrySerializer, **error_responses(400, 403, 404)},
        description="Change an entry: its author only (403 for anyone else).",
    )
    def put(self, request: Request, pk: int) -> Response:
        entry = self._entry(request, pk)
        if entry.author_id != request_user(request).pk:
            raise PermissionDenied("Only its author changes a timeline entry.")
        _, arguments = _written(request, account=entry.account)
        try:
            timeline_entry_update(entry=entry, by=request_user(request), **arguments)
        except DjangoValidationError as error:
            raise _service_errors(error) from None
        except DjangoPermissionDenied as error:
            raise PermissionDenied(str(error)) from None
        return Response(TimelineEntrySerializer(self._entry(request, pk)).data)

    @extend_schema(
        operation_id="timeline_destroy",
        responses={204: None, **error_responses(403, 404)},
        description="Delete an entry: its author only.",
    )
    def delete(self, request: Request, pk: int) -> Response:
        entry = self._entry(request, pk)
        try:
            timeline_entry_delete(entry=entry, by=request_user(request))
        except DjangoPermissionDenied as error:
            raise PermissionDenied(str(error)) from None
        return Response(status=204)
