from django.urls import path

from metrics.views import accounts, dashboards, erasure, health_model, jobs, notifications, renewals

urlpatterns = [
    path("accounts/", accounts.account_list, name="account_list"),
    path("accounts/<int:pk>/", accounts.account_detail, name="account_detail"),
    path("accounts/<int:pk>/erase/", erasure.account_erase_view, name="account_erase"),
    path("contacts/<int:pk>/erase/", erasure.contact_erase_view, name="contact_erase"),
    path("dashboard/", dashboards.company, name="company_dashboard"),
    path("dashboard/csm/", dashboards.my_dashboard, name="my_dashboard"),
    path("dashboard/csm/<int:pk>/", dashboards.csm_dashboard, name="csm_dashboard"),
    path("dashboard/drilldown/<slug:figure>/<str:month>/", dashboards.drilldown_page, name="drilldown"),
    path("health/model/", health_model.health_model, name="health_model"),
    path("renewals/forecast/", renewals.renewal_forecast_page, name="renewal_forecast"),
    path("settings/notifications/", notifications.notification_settings, name="notification_settings"),
    path("settings/notifications/test/", notifications.notification_test, name="notification_test"),
    path("snapshots/", jobs.snapshot_queue, name="snapshot_queue"),
    path("snapshots/jobs/<int:pk>/", jobs.snapshot_job, name="snapshot_job"),
]
