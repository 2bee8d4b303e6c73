"""The surveys API, under the same rules as the pages (DESIGN.md "Roles and access"): everyone lists and reads
surveys and their results (a CSM over the accounts they own), admins create and send them.

- `GET /api/v1/surveys/`: every survey, newest first, paginated in `results`; `POST` creates a draft (admins).
- `GET /api/v1/surveys/<id>/`: one survey.
- `POST /api/v1/surveys/<id>/send/`: what is due now (the first round of a draft), queued (admins): `queued`.
- `GET /api/v1/surveys/<id>/results/?segment=&csm=<user id>|none&score=N|N-M&page=`: METRICS.md "Results of a
  survey Keel sends" and the comments, paginated in `comments`. A CSM naming another CSM gets a 404.

Errors: {"errors": [{"field", "message"}]} (config.api_errors); a survey's rules are surveys.services', whose
ValidationError comes out with the fields it names.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api_fields import paginated, request_user
from accounts.models import Account, SurveyKind, User
from accounts.numbers import number, ratio
from accounts.selectors import accounts_for_user
from surveys.models import Survey
from surveys.selectors import results_filter, survey_comments, survey_results, surveys_for_user
from surveys.services import survey_create, survey_send


class IsAdmin(BasePermission):
    message = "Only admins may create and send surveys."

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        return isinstance(user, User) and user.is_admin


class IsAdminToWrite(IsAdmin):
    def has_permission(self, request: Request, view: APIView) -> bool:
        return request.method in SAFE_METHODS or super().has_permission(request, view)


def _service_error(error: DjangoValidationError) -> serializers.ValidationError:
    """A service's ValidationError in the API's shape: by field when it names them."""
    if hasattr(error, "error_dict"):
        return serializers.ValidationError(error.message_dict)
    return serializers.ValidationError(error.messages)


class SurveySerializer(serializers.ModelSerializer[Survey]):
    """A survey with its figures over the invitations the caller may read about (`surveys_for_user`). `accounts`:
    the external ids of the accounts picked by hand that the caller may see."""

    accounts = serializers.SerializerMethodField()
    invitations_sent = serializers.IntegerField()
    answers = serializers.IntegerField()
    response_rate = serializers.SerializerMethodField()

    class Meta:
        model = Survey
        fields = [
            "id",
            "name",
            "kind",
            "question",
            "audience",
            "segment",
            "accounts",
            "every_days",
            "reminder_days",
            "closes_on",
            "status",
            "round",
            "started_at",
            "created_at",
            "invitations_sent",
            "answers",
            "response_rate",
        ]

    def get_accounts(self, survey: Survey) -> list[str]:
        return [account.external_id for account in getattr(survey, "visible_accounts", [])]

    def get_response_rate(self, survey: Any) -> float | None:
        return number(ratio(survey.answers, survey.invitations_sent))


class SurveyInput(serializers.Serializer[dict[str, Any]]):
    """A new survey as the API takes it: types parsed here, the rules checked by `survey_create`. `accounts`
    holds external ids (the audience `accounts`)."""

    name = serializers.CharField(required=False, allow_blank=True, default="")
    kind = serializers.ChoiceField(choices=SurveyKind.values)
    question = serializers.CharField(required=False, allow_blank=True, default="")
    audience = serializers.ChoiceField(choices=Survey.Audience.values, required=False, default="paying")
    segment = serializers.CharField(required=False, allow_blank=True, default="")
    accounts = serializers.ListField(
        child=serializers.CharField(), required=False, default=list, max_length=100_000
    )
    every_days = serializers.IntegerField(required=False, allow_null=True, default=None)
    reminder_days = serializers.IntegerField(required=False, allow_null=True, default=None)
    closes_on = serializers.DateField(required=False, allow_null=True, default=None)

    def validate_accounts(self, value: list[str]) -> list[int]:
        found = dict(Account.objects.filter(external_id__in=value).values_list("external_id", "pk"))
        missing = [external_id for external_id in dict.fromkeys(value) if external_id not in found]
        if missing:
            shown = ", ".join(missing[:10]) + (f" and {len(missing) - 10} more" if len(missing) > 10 else "")
            raise serializers.ValidationError(f"No account has the id {shown}.")
        return sorted(set(found.values()))


def _surveys(user: User) -> QuerySet[Survey]:
    visible = accounts_for_user(user).order_by("external_id").only("pk", "external_id")
    return surveys_for_user(user).prefetch_related(
        Prefetch("accounts", queryset=visible, to_attr="visible_accounts")
    )


def _survey(user: User, pk: int) -> Survey:
    try:
        return _surveys(user).get(pk=pk)
    except Survey.DoesNotExist:
        raise NotFound("No such survey.") from None


class SurveysView(GenericAPIView[Survey]):
    permission_classes = [IsAuthenticated, IsAdminToWrite]
    serializer_class = SurveySerializer

    @extend_schema(
        operation_id="surveys_list",
        responses={200: paginated(SurveySerializer)},
        description="Every survey, newest first, paginated in `results`.",
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(_surveys(request_user(request)))
        assert page is not None  # the project sets a default pagination class
        return self.get_paginated_response(SurveySerializer(page, many=True).data)

    @extend_schema(
        request=SurveyInput,
        responses={201: SurveySerializer},
        description="A new draft survey (admins). Nothing is sent until `send`.",
    )
    def post(self, request: Request) -> Response:
        user = request_user(request)
        given = SurveyInput(data=request.data)
        given.is_valid(raise_exception=True)
        fields = dict(given.validated_data)
        fields["account_ids"] = fields.pop("accounts")
        try:
            survey = survey_create(by=user, **fields)
        except DjangoValidationError as error:
            raise _service_error(error) from None
        return Response(SurveySerializer(_survey(user, survey.pk)).data, status=201)


class SurveyView(APIView):
    @extend_schema(responses={200: SurveySerializer}, description="One survey.")
    def get(self, request: Request, pk: int) -> Response:
        return Response(SurveySerializer(_survey(request_user(request), pk)).data)


class SurveySendView(APIView):
    permission_classes = [IsAuthenticated, IsAdmin]

    @extend_schema(
        request=None,
        responses={202: dict},
        description="Send what is due now (admins): the first round of a draft, or a recurring survey's next "
        "round, reminders and retries. `queued`: the emails queued; a closed survey is a 409.",
    )
    def post(self, request: Request, pk: int) -> Response:
        user = request_user(request)
        survey = _survey(user, pk)
        closed = {"errors": [{"field": None, "message": "This survey is closed: nothing is sent."}]}
        if survey.status == Survey.Status.CLOSED:
            return Response(closed, status=409)
        queued = survey_send(survey=survey, by=user)
        if survey.status == Survey.Status.CLOSED:  # it was past its close date
            return Response(closed, status=409)
        return Response({"queued": queued, "survey": SurveySerializer(_survey(user, pk)).data}, status=202)


class CommentSerializer(serializers.Serializer[Any]):
    score = serializers.IntegerField(source="response.score")
    comment = serializers.CharField(source="response.comment")
    responded_at = serializers.DateTimeField(source="response.responded_at")
    contact = serializers.CharField(source="contact.email")
    account_id = serializers.CharField(source="contact.account.external_id")
    account_name = serializers.CharField(source="contact.account.name")
    segment = serializers.CharField(source="contact.account.segment", allow_null=True)
    csm = serializers.EmailField(source="contact.account.csm.email", allow_null=True, default=None)


class SurveyResultsView(GenericAPIView[Any]):
    @extend_schema(
        parameters=[
            OpenApiParameter("segment", str, required=False, description="the accounts' segment"),
            OpenApiParameter("csm", str, required=False, description="a user id, or `none`"),
            OpenApiParameter("score", str, required=False, description="the comments' score: N or N-M"),
            OpenApiParameter("page", int, required=False, description="the page of comments"),
        ],
        responses={200: dict},
        description="METRICS.md “Results of a survey Keel sends” over the accounts the caller may see, and the "
        "comments, paginated in `comments`.",
    )
    def get(self, request: Request, pk: int) -> Response:
        user = request_user(request)
        survey = _survey(user, pk)
        query = request.query_params
        try:
            where = results_filter(
                user=user,
                kind=survey.kind,
                segment=query.get("segment", ""),
                csm=query.get("csm", ""),
                score=query.get("score", ""),
            )
        except DjangoValidationError as error:
            raise _service_error(error) from None
        results = survey_results(survey=survey, user=user, where=where)
        page = self.paginate_queryset(survey_comments(survey=survey, user=user, where=where))
        assert page is not None
        comments = self.get_paginated_response(CommentSerializer(page, many=True).data).data
        return Response({"survey": survey.pk, "kind": survey.kind, **results.fields(), "comments": comments})
