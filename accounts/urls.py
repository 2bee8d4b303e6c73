from django.urls import path

from accounts import views

urlpatterns = [
    path("", views.home, name="home"),
    path("team/", views.team, name="team"),
    path("team/<int:pk>/role/", views.team_role, name="team_role"),
    path("team/<int:pk>/deactivate/", views.team_deactivate, name="team_deactivate"),
    path("team/<int:pk>/reactivate/", views.team_reactivate, name="team_reactivate"),
    path("data/", views.data, name="data"),
    path("data/runs/<int:pk>/", views.import_run_detail, name="import_run_detail"),
    path("data/runs/<int:pk>/progress/", views.import_run_progress, name="import_run_progress"),
    path("data/stripe/", views.stripe_quarantine, name="stripe_quarantine"),
    path("webhooks/stripe", views.stripe_webhook, name="stripe_webhook"),
]
