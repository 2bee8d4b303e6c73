"""The Django admin for surveys: read-only, to look into what was sent. Surveys are created, sent and closed on
Keel's own pages, the API or the commands, through surveys.services, where their rules live; answers are under
accounts (SurveyResponse)."""

from __future__ import annotations

from django.contrib import admin

from accounts.admin import ReadOnlyAdmin
from surveys.models import Invitation, Survey, SurveyOptOut


@admin.register(Survey)
class SurveyAdmin(ReadOnlyAdmin):
    list_display = ("name", "kind", "audience", "segment", "status", "round", "closes_on", "created_at")
    list_filter = ("kind", "status", "audience")
    search_fields = ("name",)


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    list_display = ("email", "survey", "round", "state", "sent_at", "attempts", "reminded_at", "last_error")
    list_filter = ("state", "survey")
    list_select_related = ("survey",)
    search_fields = ("email",)
    # The token is the answer link's secret: whoever reads it can answer in the contact's name.
    exclude = ("token",)
    raw_id_fields = ("contact", "response")


@admin.register(SurveyOptOut)
class SurveyOptOutAdmin(ReadOnlyAdmin):
    list_display = ("email", "created_at")
    search_fields = ("email",)
    exclude = ("invitation",)
