from django.contrib import admin

from surveys.models import SurveyResponse


@admin.register(SurveyResponse)
class SurveyResponseAdmin(admin.ModelAdmin):
    list_display = ("external_id", "kind", "score", "responded_at", "account", "contact")
    list_filter = ("kind",)
    list_select_related = ("account", "contact")
    search_fields = ("external_id", "account__external_id", "contact__external_id")
    raw_id_fields = ("account", "contact")
    show_full_result_count = False
