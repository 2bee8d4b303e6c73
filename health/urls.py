from django.urls import path

from health import playbook_views, views

urlpatterns = [
    path("tasks/", views.task_list, name="task_list"),
    path("tasks/<int:pk>/close/", views.task_close_view, name="task_close"),
    path("tasks/new/", views.task_new, name="task_new"),
    path("tasks/<int:pk>/edit/", views.task_edit, name="task_edit"),
    path("tasks/<int:pk>/snooze/", views.task_snooze_view, name="task_snooze"),
    path("playbooks/", playbook_views.playbook_list, name="playbook_list"),
    path("playbooks/new/", playbook_views.playbook_new, name="playbook_new"),
    path("playbooks/<int:pk>/", playbook_views.playbook_edit, name="playbook_edit"),
    path("playbooks/<int:pk>/toggle/", playbook_views.playbook_toggle, name="playbook_toggle"),
]
