"""Nothing of its own in the Django admin yet: answers are under accounts (SurveyResponse)."""
