"""`/api/v1/tickets/`: support tickets (tickets.csv's columns). DELETE removes one (a ticket filed by mistake)."""

from __future__ import annotations

from typing import Any

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers

from accounts.api.base import error_responses
from accounts.api.filters import InstantFilter
from accounts.api.resources import DeleteMixin, ExternalIdSerializer, FactViewSet
from accounts.importers.specs import TICKETS
from accounts.models import Priority, Ticket, TicketStatus


class TicketSerializer(ExternalIdSerializer):
    class Meta:
        model = Ticket
        fields = [
            "id",
            "account_id",
            "created_at",
            "first_response_at",
            "resolved_at",
            "priority",
            "status",
            "replies",
            "subject",
        ]


class TicketWrite(serializers.Serializer[Any]):
    account_id = serializers.CharField(max_length=200)
    created_at = serializers.DateTimeField()
    first_response_at = serializers.DateTimeField(required=False, allow_null=True)
    resolved_at = serializers.DateTimeField(required=False, allow_null=True)
    priority = serializers.ChoiceField(Priority.choices, required=False, allow_null=True)
    status = serializers.ChoiceField(TicketStatus.choices, required=False, allow_null=True)
    replies = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    subject = serializers.CharField(max_length=500, required=False, allow_null=True)


class TicketFilter(django_filters.FilterSet):
    account_id = django_filters.CharFilter(field_name="account__external_id")
    status = django_filters.ChoiceFilter(choices=TicketStatus.choices)
    priority = django_filters.ChoiceFilter(choices=Priority.choices)
    created_after = InstantFilter(field_name="created_at", lookup_expr="gte")
    created_before = InstantFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = Ticket
        fields: list[str] = []


@extend_schema_view(
    retrieve=extend_schema(responses={200: TicketSerializer, **error_responses(404)}),
    update=extend_schema(
        request=TicketWrite,
        responses={200: TicketSerializer, 201: TicketSerializer, **error_responses(400, 404)},
    ),
    destroy=extend_schema(responses={204: None, **error_responses(404)}),
)
class TicketViewSet(DeleteMixin, FactViewSet):
    spec = TICKETS
    noun = "ticket"
    queryset = Ticket.objects.select_related("account").order_by("-created_at", "pk")
    serializer_class = TicketSerializer
    filterset_class = TicketFilter
