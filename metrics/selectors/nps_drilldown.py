"""The answers behind NPS 90d of a month (METRICS.md "Customer voice"): every NPS answer of the 90 days ending on
the month's as_of day, for the company, a CSM's book (the account's owner on as_of) or a segment (its current
one), as monthly_voice.sql counts them. Promoters (9–10), passives (7–8) and detractors (0–6) of the list give
the figure: 100 × (promoters − detractors) / answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from accounts.models import AccountOwnership, SurveyKind, SurveyResponse, User
from accounts.numbers import ratio
from metrics.fields import kpi_fields
from metrics.models import MonthlyKpi, Scope
from metrics.selectors.drilldown import PER_PAGE, Group, NoSnapshot

WINDOW_DAYS = 90
PROMOTER, DETRACTOR = 9, 6  # a promoter scores 9 or more, a detractor 6 or less


def nps_category(score: int) -> str:
    """promoter 9–10, passive 7–8, detractor 0–6."""
    return "promoter" if score >= PROMOTER else "detractor" if score <= DETRACTOR else "passive"


@dataclass(frozen=True)
class Answer:
    responded_at: datetime
    score: int
    comment: str
    contact: str  # the contact's name or email, "" when the answer has none
    account_id: int
    account_name: str
    hidden: bool  # an account another CSM owns now: a CSM sees its score and day, not who said what

    @property
    def category(self) -> str:
        return nps_category(self.score)


@dataclass(frozen=True)
class NpsDrilldown:
    month: date
    as_of: date
    start: date  # the window's first day (as_of − 89)
    group: Group
    rows: list[Answer]
    count: int
    promoters: int
    passives: int
    detractors: int
    kpi: dict[str, Any]
    page: int
    pages: int

    @property
    def nps(self) -> Decimal | None:
        """100 × (promoters − detractors) / answers of the list, exact."""
        return ratio(100 * (self.promoters - self.detractors), self.count)

    @property
    def figure_value(self) -> Any:
        return self.kpi.get("nps_90d")


def _owned_on(day: date, **owner: Any) -> QuerySet[AccountOwnership, Any]:
    return AccountOwnership.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=day), valid_from__lte=day, **owner
    ).values("account_id")


def _of_group(answers: QuerySet[SurveyResponse], group: Group, as_of: date) -> QuerySet[SurveyResponse]:
    if group.scope == Scope.CSM:
        if group.csm_id is None:
            return answers.exclude(account_id__in=_owned_on(as_of, csm__isnull=False))
        return answers.filter(account_id__in=_owned_on(as_of, csm_id=group.csm_id))
    if group.scope == Scope.SEGMENT:
        if group.segment is None:
            return answers.filter(account__segment__isnull=True)
        return answers.filter(account__segment=group.segment)
    return answers


def nps_drilldown(*, month: date, group: Group, viewer: User, page: int = 1) -> NpsDrilldown:
    """One page (PER_PAGE answers, newest first) of the NPS answers behind NPS 90d of `month` for `group`, with the
    counts of all of them and the MonthlyKpi figure they make. Three queries. A CSM's past book may hold accounts
    another CSM owns now: their answers count, without the account, the contact or the comment.
    Raises NoSnapshot when the month has no MonthlyKpi row for the group."""
    row = MonthlyKpi.objects.filter(month=month, **group.kpi_filter()).first()
    if row is None:
        raise NoSnapshot(month)
    tz = timezone.get_current_timezone()
    first = row.as_of - timedelta(days=WINDOW_DAYS - 1)
    answers = _of_group(
        SurveyResponse.objects.filter(
            kind=SurveyKind.NPS,
            responded_at__gte=datetime.combine(first, time.min, tzinfo=tz),
            responded_at__lt=datetime.combine(row.as_of + timedelta(days=1), time.min, tzinfo=tz),
        ),
        group,
        row.as_of,
    )
    counts = answers.aggregate(
        count=Count("pk"),
        promoters=Count("pk", filter=Q(score__gte=PROMOTER)),
        detractors=Count("pk", filter=Q(score__lte=DETRACTOR)),
    )
    pages = max(1, -(-counts["count"] // PER_PAGE))
    page = min(max(1, page), pages)
    shown = (
        answers.select_related("contact", "account")
        .only(
            "responded_at",
            "score",
            "comment",
            "contact__name",
            "contact__email",
            "account__name",
            "account__csm",
        )
        .order_by("-responded_at", "-pk")[(page - 1) * PER_PAGE : page * PER_PAGE]
    )
    rows = [
        Answer(
            responded_at=answer.responded_at,
            score=answer.score,
            comment=answer.comment,
            contact=(answer.contact.name or answer.contact.email) if answer.contact else "",
            account_id=answer.account_id,
            account_name=answer.account.name,
            hidden=not viewer.is_vp and answer.account.csm_id != viewer.pk,
        )
        for answer in shown
    ]
    return NpsDrilldown(
        month=month,
        as_of=row.as_of,
        start=first,
        group=group,
        rows=rows,
        count=counts["count"],
        promoters=counts["promoters"],
        passives=counts["count"] - counts["promoters"] - counts["detractors"],
        detractors=counts["detractors"],
        kpi=kpi_fields(row, gross_margin=settings.KEEL_GROSS_MARGIN, event_names=()),
        page=page,
        pages=pages,
    )
