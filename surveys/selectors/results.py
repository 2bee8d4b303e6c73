"""The results of a survey Keel sends (METRICS.md "Results of a survey Keel sends"): invitations sent, answers,
the response rate, the kind's score by month, the score distribution, and the comments.

Everything is over the invitations the reader may read about (a CSM: the contacts of the accounts they own),
narrowed by a segment and a CSM (the account's today, as the account list filters); the score filter narrows
the comments only. A handful of queries whatever the number of answers: the figures are aggregates in
PostgreSQL, the comments a page of rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.utils import timezone

from accounts.models import SCALES, SurveyKind, User
from accounts.months import months_in
from accounts.numbers import number, ratio
from surveys.models import Invitation, Survey
from surveys.selectors.surveys import invitations_for_user

UNASSIGNED = "none"  # the CSM filter's value for accounts without a CSM
# Named ranges of the score filter, beside every single score (METRICS.md "Customer voice").
SCORE_GROUPS = {
    SurveyKind.NPS: (("0-6", "Detractors (0–6)"), ("7-8", "Passives (7–8)"), ("9-10", "Promoters (9–10)")),
    SurveyKind.CSAT: (("1-2", "Dissatisfied (1–2)"), ("4-5", "Satisfied (4–5)")),
    SurveyKind.CES: (("1-4", "Not easy (1–4)"), ("5-7", "Easy (5–7)")),
}


@dataclass(frozen=True)
class ResultsFilter:
    """What the results are narrowed to. `segment`: "" for any; `csm`: None for any, a user, or UNASSIGNED;
    `scores`: the comments' score range (inclusive), None for any."""

    segment: str = ""
    csm: User | str | None = None
    scores: tuple[int, int] | None = None

    def query(self) -> dict[str, str]:
        """The filter as the page's query string has it."""
        values = {"segment": self.segment, "csm": "", "score": ""}
        if isinstance(self.csm, User):
            values["csm"] = str(self.csm.pk)
        elif self.csm == UNASSIGNED:
            values["csm"] = UNASSIGNED
        if self.scores is not None:
            low, high = self.scores
            values["score"] = str(low) if low == high else f"{low}-{high}"
        return values


def score_choices(kind: str) -> list[tuple[str, str]]:
    """The score filter's options for `kind`: its named ranges, then every score of its scale."""
    low, high = SCALES[SurveyKind(kind)]
    return [*SCORE_GROUPS[SurveyKind(kind)], *((str(score), str(score)) for score in range(low, high + 1))]


def results_filter(
    *, user: User, kind: str, segment: str = "", csm: str = "", score: str = ""
) -> ResultsFilter:
    """The filter named by the query string's `segment`, `csm` and `score`, as `user` may ask it:
    - `csm`: a user id or UNASSIGNED (VPs and admins); a CSM may name only themselves, and another CSM (or a
      user that does not exist, or anything else) is a Http404, as that CSM's dashboard is;
    - `score`: one score of the kind's scale or a range "low-high" of it, else a ValidationError on `score`.
    """
    chosen: User | str | None = None
    csm = (csm or "").strip()
    if csm == UNASSIGNED and user.is_vp:
        chosen = UNASSIGNED
    elif csm:
        if not csm.isdigit():
            raise Http404("No such CSM.")
        if user.is_vp:
            chosen = User.objects.filter(pk=int(csm)).first()
        elif int(csm) == user.pk:
            chosen = user
        if chosen is None:
            raise Http404("No such CSM.")
    return ResultsFilter(segment=(segment or "").strip(), csm=chosen, scores=_score_range(kind, score))


def _score_range(kind: str, text: str) -> tuple[int, int] | None:
    text = (text or "").strip()
    if not text:
        return None
    low, high = SCALES[SurveyKind(kind)]
    first, _, last = text.partition("-")
    if first.isdigit() and (last.isdigit() or not last):
        start, end = int(first), int(last or first)
        if low <= start <= end <= high:
            return start, end
    raise ValidationError(
        {"score": f"A score from {low} to {high}, or a range of them such as {low}-{high}."}
    )


def _invitations(*, survey: Survey, user: User, where: ResultsFilter) -> QuerySet[Invitation]:
    invitations = invitations_for_user(user).filter(survey=survey)
    if where.segment:
        invitations = invitations.filter(contact__account__segment=where.segment)
    if where.csm == UNASSIGNED:
        invitations = invitations.filter(contact__account__csm__isnull=True)
    elif isinstance(where.csm, User):
        invitations = invitations.filter(contact__account__csm=where.csm)
    return invitations


@dataclass(frozen=True)
class MonthFigures:
    """One month of a survey's answers (by `responded_at` in KEEL_TIMEZONE): `responses`, and the kind's figure
    over them: `nps` (−100…100), `csat` (0…100) or `ces` (mean of 1…7, with `ces_easy_rate`, 0…1); None
    when the month has no answer."""

    month: date
    responses: int
    score: float | None
    ces_easy_rate: float | None = None

    def fields(self, kind: str) -> dict[str, Any]:
        values: dict[str, Any] = {
            "month": f"{self.month:%Y-%m}",
            "responses": self.responses,
            kind: self.score,
        }
        if kind == SurveyKind.CES:
            values["ces_easy_rate"] = self.ces_easy_rate
        return values


@dataclass(frozen=True)
class SurveyResults:
    """METRICS.md "Results of a survey Keel sends", over the invitations the reader may read about."""

    survey: Survey
    invitations_sent: int
    answers: int
    months: list[MonthFigures]
    distribution: list[tuple[int, int]]  # (score, answers) for every score of the scale

    @property
    def response_rate(self) -> float | None:
        """answers / invitations_sent, None when none was sent."""
        return number(ratio(self.answers, self.invitations_sent))

    def fields(self) -> dict[str, Any]:
        """The results as the API gives them."""
        kind = self.survey.kind
        return {
            "invitations_sent": self.invitations_sent,
            "answers": self.answers,
            "response_rate": self.response_rate,
            "months": [month.fields(kind) for month in self.months],
            "distribution": [{"score": score, "answers": count} for score, count in self.distribution],
        }


def survey_results(*, survey: Survey, user: User, where: ResultsFilter | None = None) -> SurveyResults:
    """The figures of `survey` for `user`, narrowed by `where`'s segment and CSM (its score range is the
    comments'). Three queries:
    - `invitations_sent`: invitations in state `sent` (delivered to the recipient's server: not bounced, not
      waiting or failing); `answers`: invitations with an answer (a changed answer is one answer);
    - by month, for every month from the first answer's to the last one's (a month between without answers
      has `responses` 0 and no figure): NPS = 100 × (promoters 9–10 − detractors 0–6) / responses, CSAT =
      100 × responses scoring 4–5 / responses, CES = mean score (and the share scoring 5–7), each over the
      answers as of their last change;
    - the distribution: answers per score of the kind's scale, 0 for a score nobody gave.
    """
    where = where or ResultsFilter()
    invitations = _invitations(survey=survey, user=user, where=where)
    totals = invitations.aggregate(
        sent=Count("pk", filter=Q(state=Invitation.State.SENT)),
        answers=Count("pk", filter=Q(response__isnull=False)),
    )
    answered = invitations.filter(response__isnull=False)
    score = "response__score"
    local_month = TruncMonth("response__responded_at", tzinfo=timezone.get_current_timezone())
    by_month = {
        row["month"].date(): row
        for row in answered.annotate(month=local_month)
        .values("month")
        .annotate(
            responses=Count("pk"),
            promoters=Count("pk", filter=Q(**{f"{score}__gte": 9})),
            detractors=Count("pk", filter=Q(**{f"{score}__lte": 6})),
            satisfied=Count("pk", filter=Q(**{f"{score}__gte": 4})),
            easy=Count("pk", filter=Q(**{f"{score}__gte": 5})),
            total=Sum(score),
        )
        .order_by("month")
    }
    counts = dict(answered.values_list(score).annotate(n=Count("pk")).order_by())
    low, high = SCALES[SurveyKind(survey.kind)]
    return SurveyResults(
        survey=survey,
        invitations_sent=totals["sent"],
        answers=totals["answers"],
        months=_months(survey.kind, by_month),
        distribution=[(value, counts.get(value, 0)) for value in range(low, high + 1)],
    )


def _months(kind: str, rows: dict[date, dict[str, Any]]) -> list[MonthFigures]:
    if not rows:
        return []
    figures = []
    for month in months_in(min(rows), max(rows)):
        row = rows.get(month)
        if row is None:
            figures.append(MonthFigures(month=month, responses=0, score=None))
            continue
        responses = row["responses"]
        easy_rate = None
        if kind == SurveyKind.NPS:
            value = ratio(100 * (row["promoters"] - row["detractors"]), responses)
        elif kind == SurveyKind.CSAT:
            value = ratio(100 * row["satisfied"], responses)
        else:
            value = ratio(row["total"], responses)
            easy_rate = number(ratio(row["easy"], responses))
        figures.append(
            MonthFigures(month=month, responses=responses, score=number(value), ces_easy_rate=easy_rate)
        )
    return figures


def survey_comments(
    *, survey: Survey, user: User, where: ResultsFilter | None = None
) -> QuerySet[Invitation]:
    """The answers of `survey` with a comment that `user` may read, narrowed by `where` (segment, CSM, score
    range), latest first, each with its answer, contact, account and the account's CSM (page them)."""
    where = where or ResultsFilter()
    comments = (
        _invitations(survey=survey, user=user, where=where)
        .filter(response__isnull=False)
        .exclude(response__comment="")
        .select_related("response", "contact__account__csm")
        .order_by("-response__responded_at", "-pk")
    )
    if where.scores is not None:
        low, high = where.scores
        comments = comments.filter(response__score__gte=low, response__score__lte=high)
    return comments
