"""The Django admin for the KPI engine: everything here is derived, so read only (accounts.admin.DerivedAdmin)."""

from __future__ import annotations

from django.apps import apps
from django.contrib import admin
from django.db import models

from accounts.admin import derived_admin

for _model in apps.get_app_config("metrics").get_models():
    # Tables keyed by (day, account, …) have no single-column key, which the admin needs to link a row; they
    # are read through the pages, the API and the `health` / `kpis` commands instead.
    if not isinstance(_model._meta.pk, models.CompositePrimaryKey):
        admin.site.register(_model, derived_admin(_model))
