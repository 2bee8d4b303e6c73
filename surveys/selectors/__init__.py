"""Reads of the surveys app for pages and the API, by feature: an invitation behind a public link, the surveys
as the list shows them, and a survey's results. Access is decided here: every logged-in user reads surveys and
results, a CSM over the accounts they own only (DESIGN.md "Roles and access")."""

from surveys.selectors.invitations import (
    invitation_by_token,
    invitation_closed,
    invitation_opted_out,
)
from surveys.selectors.results import (
    MonthFigures,
    ResultsFilter,
    SurveyResults,
    results_filter,
    score_choices,
    survey_comments,
    survey_results,
)
from surveys.selectors.surveys import round_started_at, survey_get, surveys_for_user

__all__ = [
    "MonthFigures",
    "ResultsFilter",
    "SurveyResults",
    "invitation_by_token",
    "invitation_closed",
    "invitation_opted_out",
    "results_filter",
    "round_started_at",
    "score_choices",
    "survey_comments",
    "survey_get",
    "survey_results",
    "surveys_for_user",
]
