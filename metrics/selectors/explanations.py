"""Why an account has its health score (METRICS.md "Health score"), in words a CSM acts on.

For a day: each component's score, weight, share (w / Σw over the components that are not null) and
contribution (share × score, the points it adds; they sum to the score), and what moved the score since 7 and
30 days before: each component's change of contribution, with the facts behind it ("active on 8 of the last
30 days (was 25)"). Each day is explained with the model version it was scored with, so contributions always add
up to the stored score. A few small lookups for one account: AccountDay rows, its tickets, NPS answers and spans.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.formats import date_format

from accounts.models import Account, Priority, SurveyKind, span_active_on
from accounts.numbers import compact, one_decimal, one_decimal_fall
from health.models import COMPONENT_LABELS, COMPONENTS, DEFAULT_PARAMETERS, HealthModel, Stage
from health.reasons import at_risk_words
from metrics.models import AccountDay

COMPARED_DAYS = (7, 30)
HIGH = (Priority.HIGH, Priority.URGENT)
# A move smaller than this (points of the score) is not worth a line: the page shows one decimal.
MIN_MOVE = 0.05


@dataclass(frozen=True)
class Part:
    """One component of one day's score."""

    name: str
    label: str
    score: float | None
    weight: float
    share: float | None  # w / Σw over the components that are not null; None when this one is null
    points: float | None  # share × score: what the component adds to the score
    detail: str  # the facts behind the score, or why it is missing


@dataclass(frozen=True)
class Move:
    name: str
    label: str
    points: float  # change of contribution, points of the score
    text: str


@dataclass(frozen=True)
class Comparison:
    days: int
    day: date
    score: float | None  # None: not scored then (no MRR, or no longer kept)
    change: float | None
    moves: list[Move] = field(default_factory=list)

    @property
    def headline(self) -> str:
        if self.score is None or self.change is None:
            return f"Not scored {self.days} days before ({date_format(self.day)})."
        if abs(self.change) < MIN_MOVE:
            return f"Unchanged since {self.days} days before ({one_decimal(self.score)})."
        verb = "Rose" if self.change > 0 else "Fell"
        return (
            f"{verb} {one_decimal_fall(self.score, self.score + self.change)} points since {self.days} days before "
            f"(from {one_decimal(self.score)} to {one_decimal(self.score + self.change)})."
        )


@dataclass(frozen=True)
class Explanation:
    account: Account
    day: date
    score: float
    status: str
    at_risk: bool
    model: HealthModel
    parts: list[Part]
    comparisons: list[Comparison]
    risk: str  # why the account is at risk, or ""


@dataclass
class _Facts:
    """What a day's components were made of, for one account."""

    row: AccountDay
    high: int = 0
    other: int = 0
    nps_people: int = 0
    mrr_before: Decimal | None = None
    lookback: int = 90

    def param(self, name: str) -> float:
        return float(self.row.health_model.parameters.get(name, DEFAULT_PARAMETERS[name]))  # type: ignore[union-attr]

    @property
    def days_since_event(self) -> int | None:
        last = self.row.last_event_day
        return None if last is None else (self.row.day - last).days


def _weights(row: AccountDay) -> dict[str, float]:
    model = row.health_model
    assert model is not None
    return {name: float(model.weights.get(name, 0)) for name in COMPONENTS}


def _contributions(row: AccountDay) -> dict[str, tuple[float | None, float | None]]:
    """name → (share, points) of a scored row, with its own model's weights."""
    weights = _weights(row)
    scores = row.components()
    total = sum(weights[name] for name in COMPONENTS if scores[name] is not None)
    result: dict[str, tuple[float | None, float | None]] = {}
    for name in COMPONENTS:
        score = scores[name]
        if score is None or not total:
            result[name] = (None, None)
        else:
            share = weights[name] / total
            result[name] = (share, share * score)
    return result


def _sentence(text: str) -> str:
    """The first letter upper-cased, the rest untouched ("no NPS answer" → "No NPS answer")."""
    return text[:1].upper() + text[1:]


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _tickets(high: int, other: int) -> str:
    if not high and not other:
        return "no tickets"
    parts = []
    if high:
        parts.append(f"{high} high or urgent")
    if other:
        parts.append(f"{other} other")
    return " and ".join(parts) + (" ticket" if high + other == 1 else " tickets")


def _state(name: str, facts: _Facts) -> str:
    """The facts behind one component on one day, short: "active on 8 of the last 30 days"."""
    row = facts.row
    if name == "activity":
        return f"active on {row.active_days_30} of the last 30 days"
    if name == "adoption":
        return f"{row.mau} of {_plural(row.seats or 0, 'seat')} used in the last 30 days"
    if name == "sentiment":
        people = _plural(facts.nps_people, "contact")
        return f"latest NPS of {people} averages {one_decimal((row.sentiment or 0) / 10)}"
    if name == "support":
        return (
            f"{_tickets(facts.high, facts.other)} in the last {int(facts.param('support_window_days'))} days"
        )
    if name == "revenue":
        if facts.mrr_before is None or not facts.mrr_before:
            return "no MRR to compare with"
        change = (row.arr / 12 - facts.mrr_before) / facts.mrr_before
        if change == 0:
            return f"MRR unchanged from {facts.lookback} days before"
        direction = "up" if change > 0 else "down"
        return f"MRR {direction} {abs(change) * 100:.0f}% from {facts.lookback} days before"
    if name == "revenue_trend":
        return _trend_state(facts)
    since = facts.days_since_event
    if since is None:
        return "never used the product"
    if since == 0:
        return "used the product that day"
    return f"last used the product {_plural(since, 'day')} earlier"


def _trend_state(facts: _Facts) -> str:
    """The revenue trend read back from the component: 100 − penalty × the share of the peak lost."""
    trend, days = facts.row.revenue_trend, int(facts.param("revenue_trend_days"))
    penalty = facts.param("revenue_trend_penalty")
    if trend is None or trend >= 100 or not penalty:
        return f"MRR at its highest of the last {days} days"
    if trend <= 0:
        return f"MRR at least {100 / penalty * 100:.0f}% below its highest of the last {days} days"
    return f"MRR {(100 - trend) / penalty * 100:.0f}% below its highest of the last {days} days"


def _onboarding(facts: _Facts) -> bool:
    """The onboarding rules applied to this row (METRICS.md "Onboarding rules")."""
    return facts.row.stage == Stage.ONBOARDING and facts.param("onboarding_rules") == 1


def _was(name: str, now: _Facts, then: _Facts) -> str:
    """The same facts on the earlier day, as short as the sentence allows: "active on 8 … (was 25)"."""
    row = then.row
    if name == "activity":
        return f"was {row.active_days_30}"
    if name == "adoption" and row.seats == now.row.seats:
        return f"was {row.mau}"
    if name == "sentiment":
        return f"was {one_decimal((row.sentiment or 0) / 10)}"
    if name == "support":
        return f"was {_tickets(then.high, then.other)}"
    if name == "recency" and then.days_since_event is not None and now.days_since_event is not None:
        return f"was {then.days_since_event}"
    return f"was: {_state(name, then)}"


def _missing(name: str, facts: _Facts) -> str:
    """Why a component is null on a day (METRICS.md: no seats, no NPS answer, no MRR to compare with, the
    onboarding rules)."""
    if _onboarding(facts) and name in ("revenue", "revenue_trend", "recency"):
        if name == "recency":
            return "onboarding: no use of the product yet, so recency does not count"
        return "onboarding: revenue does not count in its first days"
    if name == "adoption":
        return "no seat count on the account"
    if name == "sentiment":
        return f"no NPS answer in the last {int(facts.param('sentiment_window_days'))} days"
    if name == "revenue":
        before = facts.row.day - timedelta(days=facts.lookback)
        return f"no MRR {facts.lookback} days before ({date_format(before)}), so no trend yet"
    return "no data"


def _detail(name: str, facts: _Facts) -> str:
    if getattr(facts.row, name) is None:
        return _sentence(_missing(name, facts)) + "."
    state = _state(name, facts)
    if name == "activity":
        target = int(facts.param("activity_target_days"))
        if _onboarding(facts):
            return (
                f"Active on {facts.row.active_days_30} of the last 30 days; while onboarding, {target} days of "
                "30 are pro-rated to the days it has paid."
            )
        return f"Active on {facts.row.active_days_30} of the last 30 days; {target} or more score 100."
    if name == "support":
        high, other = facts.param("support_high_penalty"), facts.param("support_other_penalty")
        return f"{_sentence(state)}: {high:g} points off each high or urgent one, {other:g} each other one."
    if name == "recency":
        zero = int(facts.param("recency_zero_after_days"))
        full = zero - int(facts.param("recency_ramp_days"))
        return f"{_sentence(state)}; 100 up to {_plural(full, 'day')}, 0 from {zero}."
    return _sentence(state) + "."


def _move(name: str, now: _Facts, then: _Facts, points: float) -> Move:
    label = COMPONENT_LABELS[name]
    before, after = getattr(then.row, name), getattr(now.row, name)
    if before is None:
        text = f"{label} now counts: {_state(name, now)} (scores {compact(after)})"
    elif after is None:
        text = f"{label} no longer counts: {_missing(name, now)}"
    elif abs(after - before) < MIN_MOVE:
        # the component did not move; its share did, because another one appeared or went
        text = f"{label} weighs {'more' if points > 0 else 'less'} now that other components changed"
    else:
        verb = "rose" if after > before else "fell"
        text = f"{label} {verb} from {compact(before)} to {compact(after)}: {_state(name, now)} ({_was(name, now, then)})"
    return Move(name=name, label=label, points=points, text=text)


def _compare(now: _Facts, then: _Facts | None, days: int) -> Comparison:
    day = now.row.day - timedelta(days=days)
    if then is None or then.row.score is None or now.row.score is None:
        return Comparison(days=days, day=day, score=None, change=None)
    after, before = _contributions(now.row), _contributions(then.row)
    moves = []
    for name in COMPONENTS:
        points = (after[name][1] or 0.0) - (before[name][1] or 0.0)
        if abs(points) >= MIN_MOVE:
            moves.append(_move(name, now, then, points))
    moves.sort(key=lambda move: -abs(move.points))
    return Comparison(
        days=days, day=day, score=then.row.score, change=now.row.score - then.row.score, moves=moves
    )


def at_risk_reason(row: AccountDay | None, before: AccountDay | None) -> str:
    """METRICS.md "At risk" of a stored day in words (health.reasons, as its task says it): red, or at least
    drop_points below the score drop_days before (`before`: that day's row, when it is stored)."""
    model = row.health_model if row is not None else None
    if row is None or model is None:
        return ""
    return at_risk_words(
        score=row.score,
        at_risk=row.at_risk,
        red=row.status == "red",
        yellow_min=model.yellow_min,
        drop_points=model.drop_points,
        drop_days=model.drop_days,
        before=before.score if before is not None else None,
    )


def _rows(account: Account, day: date | None) -> dict[date, AccountDay]:
    """The account's scored row on `day` (default: its latest scored day) and the rows 7 and 30 days before,
    in one query."""
    if day is None:
        anchor = RawSQL(
            "SELECT MAX(day) FROM metrics_accountday WHERE account_id = %s AND score IS NOT NULL",
            [account.pk],
        )
    else:
        anchor = RawSQL("SELECT %s::date", [day])
    days = RawSQL(
        "SELECT (m.day - v.back)::date FROM (SELECT (" + anchor.sql + ") AS day) m, "
        "(VALUES (0), (%s), (%s)) AS v(back)",
        [*anchor.params, *COMPARED_DAYS],
    )
    rows = AccountDay.objects.filter(account=account, day__in=days).select_related("health_model")
    return {row.day: row for row in rows}


# Raw SQL: the facts the explanation counts, in one statement (as three ORM queries they cost some 4 ms a page in
# Python at 100k accounts, for rows PostgreSQL returns in well under one): the tickets created and the NPS answers
# given in a window of local days, and every subscription span of the account, whose MRR before is summed in
# Python by the one rule of an active span (accounts.models.span_active_on), exactly.
_FACTS = """
SELECT 'ticket', created_at, priority, NULL::bigint, NULL::bigint, NULL::date, NULL::date, NULL::numeric
FROM accounts_ticket WHERE account_id = %(account)s AND created_at >= %(tickets_from)s AND created_at < %(until)s
UNION ALL
SELECT 'answer', responded_at, NULL, contact_id, id, NULL, NULL, NULL
FROM accounts_surveyresponse
WHERE account_id = %(account)s AND kind = %(nps)s AND responded_at >= %(answers_from)s AND responded_at < %(until)s
UNION ALL
SELECT 'span', NULL, NULL, NULL, NULL, starts_on, ends_on, annual_amount
FROM accounts_subscriptionspan WHERE account_id = %(account)s
"""


@dataclass(frozen=True)
class _Span:
    starts_on: date
    ends_on: date | None
    annual_amount: Decimal


def _enrich(account: Account, facts: Iterable[_Facts]) -> None:
    """Ticket counts, NPS respondents and MRR before, for every day at once (one query, `_FACTS`)."""
    facts = [item for item in facts if item.row.health_model is not None]
    if not facts:
        return
    first = min(item.row.day for item in facts)
    last = max(item.row.day for item in facts)
    tz = timezone.get_current_timezone()

    def local_start(day: date) -> datetime:
        return datetime.combine(day, time.min, tzinfo=tz)

    support_window = max(int(item.param("support_window_days")) for item in facts)
    sentiment_window = max(int(item.param("sentiment_window_days")) for item in facts)
    with connection.cursor() as cursor:
        cursor.execute(
            _FACTS,
            {
                "account": account.pk,
                "nps": SurveyKind.NPS,
                "tickets_from": local_start(first - timedelta(days=support_window - 1)),
                "answers_from": local_start(first - timedelta(days=sentiment_window - 1)),
                "until": local_start(last + timedelta(days=1)),
            },
        )
        read = cursor.fetchall()
    tickets = [(at, priority) for kind, at, priority, *_ in read if kind == "ticket"]
    answers = [(at, contact, pk) for kind, at, _, contact, pk, *_ in read if kind == "answer"]
    spans = [_Span(starts, ends, annual) for kind, *_, starts, ends, annual in read if kind == "span"]
    for item in facts:
        window = int(item.param("support_window_days"))
        days = [
            (timezone.localdate(created, tz), priority)
            for created, priority in tickets
            if 0 <= (item.row.day - timezone.localdate(created, tz)).days < window
        ]
        item.high = sum(1 for _, priority in days if priority in HIGH)
        item.other = len(days) - item.high
        window = int(item.param("sentiment_window_days"))
        people = {
            contact or -pk
            for responded, contact, pk in answers
            if 0 <= (item.row.day - timezone.localdate(responded, tz)).days < window
        }
        item.nps_people = len(people)
        item.lookback = int(item.param("revenue_lookback_days"))
        before = item.row.day - timedelta(days=item.lookback)
        active = [span.annual_amount for span in spans if span_active_on(span, before)]
        value = sum(active, Decimal(0)) if active else None
        item.mrr_before = value / 12 if value else None


def health_explanation(*, account: Account, day: date | None = None) -> Explanation | None:
    """The explanation of `account`'s score on `day` (default: its latest scored day); None when it has no
    score then (no MRR, or the day is no longer kept)."""
    rows = _rows(account, day)
    if not rows:
        return None
    anchor = max(rows) if day is None else day
    row = rows.get(anchor)
    if row is None or row.score is None or row.health_model is None:
        return None
    facts = {row.day: _Facts(row=row) for row in rows.values() if row.score is not None}
    model = row.health_model
    risk_before = rows.get(anchor - timedelta(days=model.drop_days))
    if row.at_risk and risk_before is None and row.status != "red":
        risk_before = AccountDay.objects.filter(
            account=account, day=anchor - timedelta(days=model.drop_days)
        ).first()
    _enrich(account, facts.values())
    now = facts[anchor]
    shares = _contributions(row)
    weights = _weights(row)
    parts = [
        Part(
            name=name,
            label=COMPONENT_LABELS[name],
            score=getattr(row, name),
            weight=weights[name],
            share=shares[name][0],
            points=shares[name][1],
            detail=_detail(name, now),
        )
        for name in COMPONENTS
    ]
    comparisons = [_compare(now, facts.get(anchor - timedelta(days=days)), days) for days in COMPARED_DAYS]
    return Explanation(
        account=account,
        day=anchor,
        score=row.score,
        status=row.status,
        at_risk=row.at_risk,
        model=model,
        parts=parts,
        comparisons=comparisons,
        risk=at_risk_reason(row, risk_before),
    )
