"""The Surveys pages: the list (everyone: each survey with its figures over the accounts the reader may see), and
for admins a draft's form, the previews of its email and public page, Send and Close.

Views are thin: access (`accounts.access`), a form that parses, one service (surveys.services) or selector.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.db.models.functions import Lower
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from accounts.access import AuthenticatedRequest, admin_required
from accounts.numbers import number, one_decimal, ratio
from accounts.security import csp_allow
from accounts.selectors import segments_for_user
from surveys.forms import AnswerForm, SurveyForm
from surveys.models import DEFAULT_QUESTIONS, Survey
from surveys.selectors import round_started_at, survey_get, surveys_for_user
from surveys.services import (
    invitation_email,
    invitation_sample,
    survey_audience,
    survey_close,
    survey_create,
    survey_send,
    survey_update,
)
from surveys.views.public import answer_page

# An email's HTML is styled inline (mail programs ignore style sheets): its preview frame allows inline styles,
# and no script at all (the frame is sandboxed too).
EMAIL_PREVIEW = {"style-src": "'unsafe-inline'", "script-src": "'none'"}


def percent(rate: float | None) -> str:
    """A rate of 0…1 as people read it: 0.4286 → "42.9%"; "—" for none."""
    return "—" if rate is None else f"{one_decimal(100 * rate)}%"


@login_required
def survey_list(request: AuthenticatedRequest) -> HttpResponse:
    surveys = list(surveys_for_user(request.user))
    rows = [
        {
            "survey": survey,
            "response_rate": percent(number(ratio(survey.answers, survey.invitations_sent))),  # type: ignore[attr-defined]
            "round_started_at": round_started_at(survey),
        }
        for survey in surveys
    ]
    return render(request, "surveys/survey_list.html", {"section": "surveys", "rows": rows})


def _form_page(request: AuthenticatedRequest, form: SurveyForm, survey: Survey | None) -> HttpResponse:
    context = {
        "section": "surveys",
        "form": form,
        "survey": survey,
        "defaults": [(kind.label, question) for kind, question in DEFAULT_QUESTIONS.items()],
        "cooldown_days": settings.KEEL_SURVEY_COOLDOWN_DAYS,
    }
    return render(request, "surveys/survey_form.html", context, status=400 if form.errors else 200)


@admin_required
def survey_new(request: AuthenticatedRequest) -> HttpResponse:
    segments = segments_for_user(request.user)
    if request.method != "POST":
        return _form_page(request, SurveyForm(segments=segments), None)
    form = SurveyForm(request.POST, segments=segments)
    if form.is_valid():
        try:
            survey = survey_create(by=request.user, **form.service_fields())
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request, f"Saved the draft “{survey.name}”. Check its email and page, then send it."
            )
            return redirect("survey_preview", pk=survey.pk)
    return _form_page(request, form, None)


@admin_required
def survey_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    survey = survey_get(pk)
    if survey.status != Survey.Status.DRAFT:
        messages.error(
            request, f"Only a draft can be changed; “{survey.name}” is {survey.get_status_display().lower()}."
        )
        return redirect("survey_results", pk=survey.pk)
    segments = segments_for_user(request.user)
    if request.method != "POST":
        return _form_page(
            request, SurveyForm(initial=SurveyForm.initial_of(survey), segments=segments), survey
        )
    form = SurveyForm(request.POST, segments=segments)
    if form.is_valid():
        try:
            survey = survey_update(survey=survey, by=request.user, **form.service_fields())
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"Saved the draft “{survey.name}”.")
            return redirect("survey_preview", pk=survey.pk)
    return _form_page(request, form, survey)


@admin_required
def survey_preview(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """What a contact would get: the email's subject, HTML and text, the public page, and how many would be
    asked if it were sent now."""
    survey = survey_get(pk)
    email = invitation_email(invitation_sample(survey=survey))
    audience = survey_audience(survey=survey).aggregate(n=Count(Lower("email"), distinct=True))["n"]
    context = {"section": "surveys", "survey": survey, "email": email, "audience": audience}
    return render(request, "surveys/survey_preview.html", context)


@admin_required
@xframe_options_sameorigin
@csp_allow(EMAIL_PREVIEW)
def survey_preview_email(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The HTML part of a sample invitation, for the preview's frame."""
    email = invitation_email(invitation_sample(survey=survey_get(pk)))
    ((html, _),) = email.alternatives
    return HttpResponse(html)


@admin_required
@xframe_options_sameorigin
def survey_preview_page(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The public page of a sample invitation, as a contact would see it, for the preview's frame."""
    invitation = invitation_sample(survey=survey_get(pk))
    return answer_page(request, invitation, AnswerForm(), preview=True)


@admin_required
@require_POST
def survey_send_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    survey = survey_get(pk)
    if survey.status == Survey.Status.CLOSED:
        messages.error(request, f"“{survey.name}” is closed: nothing was sent.")
        return redirect("survey_results", pk=survey.pk)
    queued = survey_send(survey=survey, by=request.user)
    if survey.status == Survey.Status.CLOSED:
        messages.error(
            request, f"“{survey.name}” was past its close date and is now closed: nothing was sent."
        )
    elif queued:
        messages.success(request, f"Queued {queued} email{'s' if queued != 1 else ''} of “{survey.name}”.")
    else:
        messages.info(
            request,
            "Nothing was due: every contact of the audience was asked already, was asked by a survey in the "
            f"last {settings.KEEL_SURVEY_COOLDOWN_DAYS} days (KEEL_SURVEY_COOLDOWN_DAYS), or unsubscribed.",
        )
    return redirect("survey_results", pk=survey.pk)


@admin_required
@require_POST
def survey_close_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    survey = survey_close(survey=survey_get(pk), by=request.user)
    messages.success(request, f"Closed “{survey.name}”: it takes no more answers and sends nothing more.")
    return redirect("survey_results", pk=survey.pk)
