"""The Django admin for health: models are versioned through the Health page, so the admin only reads them."""

from __future__ import annotations

from django.contrib import admin

from accounts.admin import ReadOnlyAdmin, derived_admin
from health.models import AtRiskEpisode, BacktestRow, HealthModel, Playbook, PlaybookRun, PlaybookStep, Task


@admin.register(HealthModel)
class HealthModelAdmin(ReadOnlyAdmin):
    list_display = ("version", "is_active", "created_at", "created_by", "note")
    readonly_fields = [field.name for field in HealthModel._meta.concrete_fields]


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "assignee", "due_on", "created_at", "closed_at")
    list_filter = ("kind", "closed_at")
    list_select_related = ("assignee",)
    raw_id_fields = ("account", "assignee", "closed_by", "episode")
    search_fields = ("title", "account__name", "account__external_id")


@admin.register(AtRiskEpisode)
class AtRiskEpisodeAdmin(admin.ModelAdmin):
    list_display = ("account", "started_on", "ended_on", "end_reason")
    list_select_related = ("account",)
    raw_id_fields = ("account",)


# The backtest's cache (health.services.cached_rows), read-only like the snapshots it copies.
admin.site.register(BacktestRow, derived_admin(BacktestRow))


class PlaybookStepInline(admin.TabularInline):
    model = PlaybookStep
    extra = 0


@admin.register(Playbook)
class PlaybookAdmin(admin.ModelAdmin):
    """Playbooks are made on the Playbooks page (/playbooks/); here for a look at their runs and steps."""

    list_display = ("name", "trigger", "days", "is_active", "created_at")
    list_filter = ("trigger", "is_active")
    inlines = [PlaybookStepInline]


# What a playbook fired for (one row per occurrence): made by the nightly run only.
admin.site.register(PlaybookRun, derived_admin(PlaybookRun))
admin.site.register(PlaybookStep, derived_admin(PlaybookStep))
