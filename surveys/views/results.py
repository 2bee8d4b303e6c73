"""The results page of a survey (everyone; a CSM over the accounts they own): response rate, the kind's score by
month, the score distribution and the comments, filterable by score, segment and CSM. For admins, the survey's
actions too (edit a draft, preview, send, close)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from accounts.access import AuthenticatedRequest
from accounts.models import SCALES, SurveyKind
from accounts.numbers import MINUS, one_decimal
from accounts.selectors import csms_for_filter, segments_for_user
from surveys.models import SCALE_LABELS
from surveys.selectors import (
    SurveyResults,
    results_filter,
    round_started_at,
    score_choices,
    survey_comments,
    survey_get,
    survey_results,
)
from surveys.selectors.results import UNASSIGNED
from surveys.views.manage import percent

COMMENTS_PER_PAGE = 50


@dataclass(frozen=True)
class Figure:
    """How the page names a kind's figure (METRICS.md "Customer voice"), and which scores it colours."""

    label: str
    formula: str
    range: str
    bad_high: int  # scores up to this are a detractor's, a low CSAT's, a hard CES's
    good_low: int  # scores from this are a promoter's, a satisfied one's, an easy one's


FIGURES = {
    SurveyKind.NPS: Figure("NPS", "100 × (promoters 9–10 − detractors 0–6) / answers", "−100…100", 6, 9),
    SurveyKind.CSAT: Figure("CSAT", "100 × answers scoring 4 or 5 / answers", "0…100", 2, 4),
    SurveyKind.CES: Figure("CES", "the mean score of the answers, 1–7 (higher = easier)", "1…7", 3, 5),
}


def shown(value: float | None) -> str:
    """A score for people: one decimal, a real minus; "—" for none."""
    return "—" if value is None else one_decimal(value).replace("-", MINUS)


@login_required
def survey_results_page(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    survey = survey_get(pk)
    status, error = 200, ""
    try:
        where = results_filter(
            user=user,
            kind=survey.kind,
            segment=request.GET.get("segment", ""),
            csm=request.GET.get("csm", ""),
            score=request.GET.get("score", ""),
        )
    except ValidationError as problem:
        status, error = 400, " ".join(problem.messages)
        where = results_filter(
            user=user,
            kind=survey.kind,
            segment=request.GET.get("segment", ""),
            csm=request.GET.get("csm", ""),
        )
    results = survey_results(survey=survey, user=user, where=where)
    comments = Paginator(survey_comments(survey=survey, user=user, where=where), COMMENTS_PER_PAGE)
    page = comments.get_page(request.GET.get("page"))
    kind = SurveyKind(survey.kind)
    low, high = SCALES[kind]
    figure = FIGURES[kind]
    months = [
        {
            "month": month.month,
            "responses": month.responses,
            "score": shown(month.score),
            "easy": percent(month.ces_easy_rate),
        }
        for month in results.months
    ]
    context = {
        "section": "surveys",
        "survey": survey,
        "results": results,
        "round_started_at": round_started_at(survey),
        "where": where.query(),
        "filter_query": urlencode({key: value for key, value in where.query().items() if value}),
        "response_rate": percent(results.response_rate),
        "figure": figure,
        "bad_high": figure.bad_high,
        "good_low": figure.good_low,
        "months": months,
        "filtered": bool(where.segment or where.csm),
        "error": error,
        "page": page,
        "score_choices": score_choices(survey.kind),
        "segments": segments_for_user(user),
        "csms": csms_for_filter() if user.is_vp else None,
        "unassigned": UNASSIGNED,
        "low_label": f"{low} = {SCALE_LABELS[kind][0]}",
        "high_label": f"{high} = {SCALE_LABELS[kind][1]}",
        "chart": _chart(results.survey.kind, results),
    }
    return render(request, "surveys/results.html", context, status=status)


def _chart(kind: str, results: SurveyResults) -> dict[str, object]:
    """The page script's data (json_script): the same numbers as the page's tables."""
    return {
        "kind": kind,
        "months": [f"{month.month:%Y-%m}" for month in results.months],
        "score": [month.score for month in results.months],
        "responses": [month.responses for month in results.months],
        "scores": [score for score, _ in results.distribution],
        "answers": [count for _, count in results.distribution],
    }
