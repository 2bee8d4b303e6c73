from django.urls import path

from accounts import views

urlpatterns = [
    path("", views.home, name="home"),
    path("team/", views.team, name="team"),
    path("team/fallback-owner/", views.team_fallback_owner, name="team_fallback_owner"),
    path("team/<int:pk>/role/", views.team_role, name="team_role"),
    path("team/<int:pk>/deactivate/", views.team_deactivate, name="team_deactivate"),
    path("team/<int:pk>/reactivate/", views.team_reactivate, name="team_reactivate"),
    path("settings/audit/", views.audit_log, name="audit_log"),
    path("data/", views.data, name="data"),
    path("accounts/<int:pk>/timeline/", views.timeline_entry_new, name="timeline_entry_new"),
    path("timeline/<int:pk>/edit/", views.timeline_entry_edit, name="timeline_entry_edit"),
    path("timeline/<int:pk>/delete/", views.timeline_entry_delete_view, name="timeline_entry_delete"),
    path("data/sources/", views.data_sources, name="data_sources"),
    path("settings/api-tokens/", views.api_tokens, name="api_tokens"),
    path("settings/api-tokens/<int:pk>/revoke/", views.api_token_revoke_view, name="api_token_revoke"),
    path("data/runs/<int:pk>/", views.import_run_detail, name="import_run_detail"),
    path("data/runs/<int:pk>/progress/", views.import_run_progress, name="import_run_progress"),
    path("settings/segment/", views.segment_settings, name="segment_settings"),
    path("settings/segment/<int:pk>/revoke/", views.segment_key_revoke, name="segment_key_revoke"),
    # Segment's HTTP tracking API (DATA.md §3), at the paths its clients post to.
    path("v1/batch", views.segment_batch, name="segment_batch"),
    path("v1/track", views.segment_track, name="segment_track"),
    path("v1/identify", views.segment_identify, name="segment_identify"),
    path("v1/group", views.segment_group, name="segment_group"),
    path("data/stripe/", views.stripe_quarantine, name="stripe_quarantine"),
    path("webhooks/stripe", views.stripe_webhook, name="stripe_webhook"),
]
