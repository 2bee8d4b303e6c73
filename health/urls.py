from django.urls import path

from health import views

urlpatterns = [
    path("tasks/", views.task_list, name="task_list"),
    path("tasks/<int:pk>/close/", views.task_close_view, name="task_close"),
]
