"""The Django admin for the KPI engine: spend is entered data; everything else is derived and read only."""

from __future__ import annotations

from django.apps import apps
from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from accounts.admin import EstimatedCountPaginator
from metrics.models import Spend


@admin.register(Spend)
class SpendAdmin(admin.ModelAdmin):
    list_display = ("month", "amount")
    ordering = ("-month",)


class DerivedAdmin(admin.ModelAdmin):
    """Snapshots and rollups: recomputed from raw facts by the pipeline (`manage.py snapshot`), so an edit here
    would be overwritten or, worse, make numbers disagree. Large tables: no full count, ids instead of selects."""

    paginator = EstimatedCountPaginator
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


def derived_admin(model: type[models.Model]) -> type[DerivedAdmin]:
    # Built from the model's fields so that this file does not break while the snapshot tables evolve.
    fields = [
        f for f in model._meta.concrete_fields if not isinstance(f, models.JSONField | models.TextField)
    ]
    foreign_keys = tuple(f.name for f in fields if f.is_relation)
    attributes = {
        "list_display": tuple(f.name for f in fields if not f.primary_key or not f.auto_created)[:10],
        "list_select_related": foreign_keys,
        "raw_id_fields": foreign_keys,
    }
    return type(f"{model.__name__}Admin", (DerivedAdmin,), attributes)


for _model in apps.get_app_config("metrics").get_models():
    # Tables keyed by (day, account, …) have no single-column key, which the admin needs to link a row; they
    # are read through the pages, the API and the `health` / `kpis` commands instead.
    if not admin.site.is_registered(_model) and not isinstance(_model._meta.pk, models.CompositePrimaryKey):
        admin.site.register(_model, derived_admin(_model))
