from django.urls import path

from surveys.views import manage, public, results

urlpatterns = [
    # Public: a contact's link from an invitation email (no login).
    path("s/<str:token>/", public.survey_answer, name="survey_answer"),
    path("s/<str:token>/thanks/", public.survey_thanks, name="survey_thanks"),
    path("s/<str:token>/unsubscribe/", public.survey_unsubscribe, name="survey_unsubscribe"),
    # Keel's own pages.
    path("surveys/", manage.survey_list, name="survey_list"),
    path("surveys/new/", manage.survey_new, name="survey_new"),
    path("surveys/<int:pk>/", results.survey_results_page, name="survey_results"),
    path("surveys/<int:pk>/edit/", manage.survey_edit, name="survey_edit"),
    path("surveys/<int:pk>/preview/", manage.survey_preview, name="survey_preview"),
    path("surveys/<int:pk>/preview/email/", manage.survey_preview_email, name="survey_preview_email"),
    path("surveys/<int:pk>/preview/page/", manage.survey_preview_page, name="survey_preview_page"),
    path("surveys/<int:pk>/send/", manage.survey_send_view, name="survey_send"),
    path("surveys/<int:pk>/close/", manage.survey_close_view, name="survey_close"),
]
