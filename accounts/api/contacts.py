"""`/api/v1/contacts/`: people at the customer (contacts.csv's columns). DELETE removes one, and with it what
hangs off the contact: its survey answers and the invitations Keel sent it (as deleting it anywhere does)."""

from __future__ import annotations

from typing import Any

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers

from accounts.api.base import error_responses
from accounts.api.resources import DeleteMixin, ExternalIdSerializer, FactViewSet
from accounts.importers.specs import CONTACTS
from accounts.models import Contact


class ContactSerializer(ExternalIdSerializer):
    class Meta:
        model = Contact
        fields = ["id", "account_id", "email", "name", "title"]


class ContactWrite(serializers.Serializer[Any]):
    account_id = serializers.CharField(max_length=200)
    email = serializers.CharField(max_length=254)
    name = serializers.CharField(max_length=200, required=False, allow_null=True)
    title = serializers.CharField(max_length=200, required=False, allow_null=True)


class ContactFilter(django_filters.FilterSet):
    account_id = django_filters.CharFilter(field_name="account__external_id")
    email = django_filters.CharFilter(lookup_expr="iexact")

    class Meta:
        model = Contact
        fields: list[str] = []


@extend_schema_view(
    retrieve=extend_schema(responses={200: ContactSerializer, **error_responses(404)}),
    update=extend_schema(
        request=ContactWrite,
        responses={200: ContactSerializer, 201: ContactSerializer, **error_responses(400, 404)},
    ),
    destroy=extend_schema(responses={204: None, **error_responses(404)}),
)
class ContactViewSet(DeleteMixin, FactViewSet):
    spec = CONTACTS
    noun = "contact"
    queryset = Contact.objects.select_related("account").order_by("account__external_id", "external_id")
    serializer_class = ContactSerializer
    filterset_class = ContactFilter
