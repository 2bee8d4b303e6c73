from django.urls import path

from surveys import api

urlpatterns = [
    path("surveys/", api.SurveysView.as_view(), name="api-surveys"),
    path("surveys/<int:pk>/", api.SurveyView.as_view(), name="api-survey"),
    path("surveys/<int:pk>/send/", api.SurveySendView.as_view(), name="api-survey-send"),
    path("surveys/<int:pk>/results/", api.SurveyResultsView.as_view(), name="api-survey-results"),
]
