from django.urls import path

from health import views

urlpatterns = [
    path("health/model/", views.health_model, name="health_model"),
    path("health/model/jobs/<int:pk>/", views.health_model_job, name="health_model_job"),
    path("tasks/", views.task_list, name="task_list"),
    path("tasks/<int:pk>/close/", views.task_close_view, name="task_close"),
]
