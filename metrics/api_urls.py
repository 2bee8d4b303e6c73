from django.urls import path

from metrics import api

urlpatterns = [
    path("metrics/monthly/", api.MonthlyKpisView.as_view(), name="api-metrics-monthly"),
    path("health/", api.HealthScoresView.as_view(), name="api-health"),
]
