"""The email of an invitation (DATA.md §5): the question, the scale as one link per score, the unsubscribe link.

Links are absolute, KEEL_BASE_URL + the public URL, never the Host of whatever request is running. A link with
?score=N opens the answer page with that score chosen; the answer is recorded only when the person submits it
(mail scanners follow links), which the page sees to.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.models import SCALES, Contact, SurveyKind
from surveys.models import SCALE_LABELS, Invitation, Survey

# The token of a sample invitation: no invitation has it (real tokens are 43 characters), so its links open the
# public page's "unknown link".
SAMPLE_TOKEN = "sample"
SAMPLE_EMAIL = "sam.sample@example.com"


def _absolute(path: str) -> str:
    return settings.KEEL_BASE_URL.rstrip("/") + path


def invitation_link(invitation: Invitation, *, score: int | None = None) -> str:
    """The absolute URL of the invitation's answer page, with `score` chosen when given."""
    link = _absolute(reverse("survey_answer", args=[invitation.token]))
    return link if score is None else _with_score(link, score)


def _with_score(link: str, score: int) -> str:
    return f"{link}?score={score}"


def unsubscribe_link(invitation: Invitation) -> str:
    """The absolute URL of the page where the invitation's recipient asks not to be surveyed again."""
    return _absolute(reverse("survey_unsubscribe", args=[invitation.token]))


def invitation_sample(*, survey: Survey) -> Invitation:
    """An unsaved invitation of `survey` to a made-up contact, for previews of a draft's email and page. Its
    links carry SAMPLE_TOKEN, which no invitation has."""
    contact = Contact(name="Sam Sample", email=SAMPLE_EMAIL)
    return Invitation(survey=survey, contact=contact, email=SAMPLE_EMAIL, token=SAMPLE_TOKEN)


def invitation_email_context(invitation: Invitation, *, reminder: bool = False) -> dict[str, Any]:
    """What the templates of templates/surveys/email/ are given."""
    survey = invitation.survey
    kind = SurveyKind(survey.kind)
    low, high = SCALES[kind]
    low_label, high_label = SCALE_LABELS[kind]
    answer = invitation_link(invitation)  # reversed once, not once per score: sending renders thousands
    return {
        "survey": survey,
        "question": survey.question,
        "name": invitation.contact.name.strip(),
        "scores": [(score, _with_score(answer, score)) for score in range(low, high + 1)],
        "low_label": low_label,
        "high_label": high_label,
        "answer_url": answer,
        "unsubscribe_url": unsubscribe_link(invitation),
        "reminder": reminder,
    }


def invitation_email(
    invitation: Invitation, *, reminder: bool = False, connection: BaseEmailBackend | None = None
) -> EmailMultiAlternatives:
    """The email of `invitation` (or of `invitation_sample(survey=…)` for a draft's preview), built and not
    sent: `.subject`, `.body` (the text part), `.alternatives[0].content` (the HTML part), `.extra_headers`
    (List-Unsubscribe). `reminder=True` gives the one reminder instead. The invitation needs its survey and
    contact (select_related them for many). Sending is `invitations_send`'s business: it passes its batch's
    `connection`."""
    context = invitation_email_context(invitation, reminder=reminder)
    subject = " ".join(render_to_string("surveys/email/subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("surveys/email/body.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[invitation.email],
        headers={"List-Unsubscribe": f"<{context['unsubscribe_url']}>"},
        connection=connection,
    )
    message.attach_alternative(render_to_string("surveys/email/body.html", context), "text/html")
    return message
