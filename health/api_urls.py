from django.urls import path

from health import api

urlpatterns = [
    path("health/backtest/", api.HealthBacktestView.as_view(), name="api-health-backtest"),
    path("tasks/", api.TasksView.as_view(), name="api-tasks"),
]
