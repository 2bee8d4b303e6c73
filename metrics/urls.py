from django.urls import path

from metrics import views

urlpatterns = [
    path("dashboard/", views.company, name="company_dashboard"),
    path("dashboard/csm/", views.my_dashboard, name="my_dashboard"),
    path("dashboard/csm/<int:pk>/", views.csm_dashboard, name="csm_dashboard"),
    path(
        "dashboard/drilldown/<slug:figure>/<str:month>/",
        views.drilldown_page,
        name="drilldown",
    ),
]
