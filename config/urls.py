from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import URLPattern, URLResolver, include, path, re_path

from accounts.forms import KeelPasswordResetForm, LoginForm
from config.api_docs import api_not_found, docs_view, schema_view

auth_urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path(
        "password/reset/",
        auth_views.PasswordResetView.as_view(
            form_class=KeelPasswordResetForm,
            email_template_name="registration/password_reset_email.txt",
        ),
        name="password_reset",
    ),
    path("password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
]

api_urlpatterns: list[URLPattern | URLResolver] = [
    path("schema/", schema_view, name="api-schema"),
    path("docs/", docs_view, name="api-docs"),
    path("", include("accounts.api.urls")),
    path("", include("metrics.api_urls")),
    path("", include("health.api_urls")),
    path("", include("surveys.api_urls")),
]

urlpatterns = [
    *auth_urlpatterns,
    path("", include("accounts.urls")),
    path("", include("metrics.urls")),
    path("", include("health.urls")),
    path("", include("surveys.urls")),
    path("api/v1/", include(api_urlpatterns)),
    re_path(r"^api(?:/(?P<path>.*))?$", api_not_found, name="api-not-found"),
    path("admin/", admin.site.urls),
]

handler500 = "config.unavailable.server_error"
