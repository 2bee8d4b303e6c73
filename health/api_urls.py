from django.urls import path

from health import api

urlpatterns = [
    path("health/backtest/", api.HealthBacktestView.as_view(), name="api-health-backtest"),
    path("tasks/", api.TasksView.as_view(), name="api-tasks"),
    path("tasks/<int:pk>/", api.TaskView.as_view(), name="api-task"),
    path("tasks/<int:pk>/close/", api.TaskCloseView.as_view(), name="api-task-close"),
]
