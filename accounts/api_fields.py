"""What every app's API shares: fields of the query string, the VP-only permission, the caller as a Keel user.
Errors come out in one shape (config.api_errors)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from rest_framework import serializers
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from accounts.models import User
from accounts.months import day_from_text, month_from_text


class _CalendarField(serializers.Field[date, str, str, object]):
    """A date written as `parse` reads it; `invalid` when it does not."""

    parse: Callable[[str], date]

    def to_internal_value(self, data: str) -> date:
        try:
            return self.parse(str(data))
        except ValueError:
            self.fail("invalid")
            raise  # unreachable: fail() raises


class MonthField(_CalendarField):
    """YYYY-MM, as the month's first day."""

    default_error_messages = {"invalid": "Expected a month as YYYY-MM."}
    parse = staticmethod(month_from_text)

    def to_representation(self, value: date) -> str:
        return f"{value:%Y-%m}"


class DayField(_CalendarField):
    default_error_messages = {"invalid": "Expected a day as YYYY-MM-DD."}
    parse = staticmethod(day_from_text)

    def to_representation(self, value: date) -> str:
        return value.isoformat()


class MonthRangeQuery(serializers.Serializer[dict[str, Any]]):
    """`from` and `to`, YYYY-MM, in order."""

    to = MonthField()

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["from"] = MonthField()  # a Python keyword, so not a class attribute
        return fields

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["from"] > attrs["to"]:
            raise serializers.ValidationError({"from": "is after `to`."})
        return attrs


class DayQuery(serializers.Serializer[dict[str, Any]]):
    on = DayField()


class IsVp(BasePermission):
    message = "Only VPs and admins may see this: it covers every account of the company."

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        return isinstance(user, User) and user.is_vp


def request_user(request: Request) -> User:
    """The caller (the API's views are behind IsAuthenticated)."""
    user = request.user
    assert isinstance(user, User)
    return user


def paginated(item: type[serializers.Serializer[Any]]) -> type[serializers.Serializer[Any]]:
    """The schema of a page of `item`s, for views that paginate by hand (`paginate_queryset`)."""
    name = item.__name__.removesuffix("Serializer")
    return type(
        f"Paginated{name}List",
        (serializers.Serializer,),
        {
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": item(many=True),
            "__doc__": f"A page of {name} objects.",
        },
    )
