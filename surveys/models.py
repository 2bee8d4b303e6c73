"""Surveys Keel sends (DATA.md §5). Their answers are raw facts and land in accounts.SurveyResponse, with the
imported ones."""
