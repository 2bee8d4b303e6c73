"""`/api/v1/accounts/`: customer accounts (accounts.csv's columns). No DELETE: an account's history (spans,
usage, snapshots, ownership) hangs off it; an admin deletes one in the Django admin.

A CSM writes only accounts they own: one they create is theirs (`csm_email` left out means them), and naming
another owner is a 403: a CSM cannot give an account away or create one for someone else.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Model, QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers

from accounts.api.base import error_responses, refused
from accounts.api.filters import InstantFilter
from accounts.api.resources import ExternalIdSerializer, FactViewSet
from accounts.importers.specs import ACCOUNTS
from accounts.models import Account, User
from accounts.selectors import accounts_for_user


class AccountSerializer(ExternalIdSerializer):
    csm_email = serializers.EmailField(source="csm.email", allow_null=True, default=None, read_only=True)
    account_id = None  # type: ignore[assignment]

    class Meta:
        model = Account
        fields = ["id", "name", "segment", "csm_email", "created_on", "seats", "updated_at"]


class AccountWrite(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=300)
    segment = serializers.CharField(max_length=100, required=False, allow_null=True)
    csm_email = serializers.EmailField(required=False, allow_null=True)
    created_on = serializers.DateField(required=False, allow_null=True)
    seats = serializers.IntegerField(min_value=0, required=False, allow_null=True)


class AccountFilter(django_filters.FilterSet):
    segment = django_filters.CharFilter()
    csm_email = django_filters.CharFilter(field_name="csm__email", lookup_expr="iexact")
    name = django_filters.CharFilter(lookup_expr="icontains")
    updated_since = InstantFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Account
        fields: list[str] = []


@extend_schema_view(
    list=extend_schema(description="Accounts the caller may see, by name, paginated in `results`."),
    retrieve=extend_schema(responses={200: AccountSerializer, **error_responses(404)}),
    update=extend_schema(
        request=AccountWrite,
        responses={200: AccountSerializer, 201: AccountSerializer, **error_responses(400, 403, 404)},
        description="Create or update the account with this external id (idempotent).",
    ),
)
class AccountViewSet(FactViewSet):
    spec = ACCOUNTS
    noun = "account"
    references = ()
    queryset = Account.objects.select_related("csm").order_by("name", "pk")
    serializer_class = AccountSerializer
    filterset_class = AccountFilter

    def get_queryset(self) -> QuerySet[Any]:
        user = self.request.user
        assert isinstance(user, User)
        return accounts_for_user(user).select_related("csm").order_by("name", "pk")

    def stored(self, external_id: str) -> Model | None:
        return Account.objects.filter(external_id=external_id).first()

    def record_account(self, record: Model) -> Account | None:
        return record if isinstance(record, Account) else None

    def prepare(self, user: User, record: dict[str, str | None], existing: Model | None) -> None:
        if user.is_vp:
            return
        email = record.get("csm_email")
        if "csm_email" not in record and existing is None:
            record["csm_email"] = user.email
        elif "csm_email" in record and (email or "").strip().lower() != user.email:
            raise refused(
                403, "csm_email", "A CSM writes only accounts of their own book: csm_email must be yours."
            )
