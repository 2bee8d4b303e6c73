"""The Django admin for health: models are versioned through the Health page, so the admin only reads them."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from health.models import HealthModel


@admin.register(HealthModel)
class HealthModelAdmin(admin.ModelAdmin):
    list_display = ("version", "is_active", "created_at", "created_by", "note")
    readonly_fields = [field.name for field in HealthModel._meta.concrete_fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
