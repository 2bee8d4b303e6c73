"""Writes of the surveys app, by feature: surveys as admins define them, who a survey asks, the invitations'
emails, and sending (rounds, reminders, retries, opt-outs)."""

from surveys.services.audience import invitations_create, survey_audience
from surveys.services.emails import (
    SAMPLE_TOKEN,
    invitation_email,
    invitation_link,
    invitation_sample,
    unsubscribe_link,
)
from surveys.services.invitations import (
    contact_unsubscribe,
    invitations_due_send,
    invitations_send,
    retry_delay,
    survey_send,
)
from surveys.services.surveys import (
    SurveyFields,
    survey_close,
    survey_create,
    survey_update,
    survey_validate,
)

__all__ = [
    "SAMPLE_TOKEN",
    "SurveyFields",
    "contact_unsubscribe",
    "invitation_email",
    "invitation_link",
    "invitation_sample",
    "invitations_create",
    "invitations_due_send",
    "invitations_send",
    "retry_delay",
    "survey_audience",
    "survey_close",
    "survey_create",
    "survey_send",
    "survey_update",
    "survey_validate",
    "unsubscribe_link",
]
