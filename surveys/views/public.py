"""The public pages a contact opens from a survey email: no login, the invitation's token in the URL.

A GET records nothing (mail scanners follow every link of an email); the answer is recorded by the form's POST,
which Django's CSRF middleware guards. Every request counts against a limit per token and per address first,
so a flood never reaches the database. An unknown token is a 404 page, a closed survey or an address that
unsubscribed a 410 page, each saying plainly what happened.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accounts.models import SCALES, SurveyKind
from accounts.rate_limits import RateLimit, client_address, rate_limit_hit
from surveys.forms import AnswerForm
from surveys.models import SCALE_LABELS, Invitation
from surveys.selectors import invitation_by_token, invitation_closed, invitation_opted_out
from surveys.services import contact_unsubscribe
from surveys.services.answers import MAX_COMMENT, response_record

# A person opens a link a few times; a mail scanner follows each score's link once (11 for NPS).
PER_TOKEN = RateLimit("survey-token", limit=30, window=600)
# An office behind one address may have many people answering; a guesser of tokens gets a trickle.
PER_ADDRESS = RateLimit("survey-address", limit=120, window=600)


def _limited(request: HttpRequest, token: str) -> HttpResponse | None:
    """The 429 page when the address or the token is over its limit, else None."""
    wait = rate_limit_hit(PER_ADDRESS, client_address(request)) or rate_limit_hit(PER_TOKEN, token)
    if wait is None:
        return None
    response = render(
        request, "surveys/public/too_many.html", {"minutes": max(1, -(-wait // 60))}, status=429
    )
    response["Retry-After"] = str(wait)
    return response


def _unknown(request: HttpRequest) -> HttpResponse:
    return render(request, "surveys/public/unknown.html", status=404)


def _refusal(request: HttpRequest, invitation: Invitation) -> HttpResponse | None:
    """The 410 page of a link that takes no more answers (its email unsubscribed, its survey closed), else None."""
    for reason, refused in (
        ("unsubscribed", invitation_opted_out(invitation)),
        ("closed", invitation_closed(invitation)),
    ):
        if refused:
            context = _context(invitation, reason=reason)
            return render(request, "surveys/public/gone.html", context, status=410)
    return None


def _invitation_or_page(
    request: HttpRequest, token: str, *, answering: bool = True
) -> Invitation | HttpResponse:
    """The token's invitation, or the page that answers instead: 429 over a limit, 404 for an unknown token and,
    when `answering`, 410 for a link that takes no more answers."""
    limited = _limited(request, token)
    if limited:
        return limited
    invitation = invitation_by_token(token)
    if invitation is None:
        return _unknown(request)
    refused = _refusal(request, invitation) if answering else None
    return refused or invitation


def _context(invitation: Invitation, **extra: Any) -> dict[str, Any]:
    survey = invitation.survey
    kind = SurveyKind(survey.kind)
    low, high = SCALES[kind]
    low_label, high_label = SCALE_LABELS[kind]
    return {
        "invitation": invitation,
        "survey": survey,
        "answer": invitation.response,
        "scores": list(range(low, high + 1)),
        "low": low,
        "high": high,
        "low_label": low_label,
        "high_label": high_label,
        "max_comment": MAX_COMMENT,
        "today": timezone.localdate(),
        **extra,
    }


def answer_page(
    request: HttpRequest,
    invitation: Invitation,
    form: AnswerForm,
    *,
    preview: bool = False,
    status: int = 200,
) -> HttpResponse:
    """The answer page of `invitation` (also the admins' preview of a draft's page, which no one can submit)."""
    context = _context(invitation, form=form, preview=preview, chosen=_chosen(form))
    if preview:
        context["user"] = AnonymousUser()  # the page as a contact sees it: no Keel navigation
    return render(request, "surveys/public/answer.html", context, status=status)


def _chosen(form: AnswerForm) -> int | None:
    value = form["score"].value()
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def initial_answer(request: HttpRequest, invitation: Invitation) -> AnswerForm:
    """The form as a GET opens it: the score of the link (?score=N, when on the scale), else the answer given
    before, and the comment given before."""
    low, high = SCALES[SurveyKind(invitation.survey.kind)]
    answer = invitation.response
    initial: dict[str, Any] = {"comment": answer.comment if answer else ""}
    linked = request.GET.get("score", "")
    if linked.isdigit() and low <= int(linked) <= high:
        initial["score"] = int(linked)
    elif answer is not None:
        initial["score"] = answer.score
    return AnswerForm(initial=initial)


@require_http_methods(["GET", "HEAD", "POST"])
def survey_answer(request: HttpRequest, token: str) -> HttpResponse:
    invitation = _invitation_or_page(request, token)
    if isinstance(invitation, HttpResponse):
        return invitation
    if request.method != "POST":
        return answer_page(request, invitation, initial_answer(request, invitation))
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            response_record(
                invitation=invitation, score=form.cleaned_data["score"], comment=form.cleaned_data["comment"]
            )
        except ValidationError as error:
            if not hasattr(error, "error_dict"):  # closed or unsubscribed since the page was opened
                again = invitation_by_token(token)
                refused = _refusal(request, again) if again else _unknown(request)
                if refused:
                    return refused
            form.add_error(None, error)
        else:
            return redirect("survey_thanks", token=token)
    return answer_page(request, invitation, form, status=400)


@require_http_methods(["GET", "HEAD"])
def survey_thanks(request: HttpRequest, token: str) -> HttpResponse:
    """After the answer: what was recorded, and the way back to change it. Without an answer yet, the form."""
    invitation = _invitation_or_page(request, token)
    if isinstance(invitation, HttpResponse):
        return invitation
    if invitation.response is None:
        return redirect("survey_answer", token=token)
    return render(request, "surveys/public/thanks.html", _context(invitation))


@require_http_methods(["GET", "HEAD", "POST"])
def survey_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks to confirm (a mail scanner's visit unsubscribes nobody); POST unsubscribes the invitation's
    email from every later survey, then the page says it is done. A closed survey's link still unsubscribes."""
    invitation = _invitation_or_page(request, token, answering=False)
    if isinstance(invitation, HttpResponse):
        return invitation
    if request.method == "POST":
        contact_unsubscribe(invitation=invitation)
        return redirect("survey_unsubscribe", token=token)
    context = _context(invitation, done=invitation_opted_out(invitation))
    return render(request, "surveys/public/unsubscribe.html", context)
