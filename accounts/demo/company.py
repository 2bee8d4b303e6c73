"""The demo company's customers: for every account, a plan of its life.

An account's plan (segment, owner, contacts, subscription spans, when it churns and whether it comes back) is
drawn from its own random stream, seeded by the demo seed and the account number, so that one account never
depends on how many others were drawn before it.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TypeVar

from accounts.demo.names import (
    ADDONS,
    CONTACT_TITLES,
    FIRST_NAMES,
    LAST_NAMES,
    PLAN_TIERS,
    TIER_SEAT_PRICE,
    TRAINING_PLAN,
    account_name,
    ascii_slug,
)
from accounts.demo.team import Member, Team
from accounts.demo.timeline import MONTHS_PER_INTERVAL, Timeline, month_start, term_end_after

SEGMENTS: tuple[tuple[str | None, int], ...] = (
    ("smb", 52),
    ("mid-market", 30),
    ("enterprise", 13),
    (None, 5),
)
SLIPPING_SHARE = 0.05  # of the long-paying accounts: in a rough patch at the end of the demo
# Monthly churn probability of an average account, before its CSM's and its own fit are applied.
CHURN_HAZARD: dict[str | None, float] = {"smb": 0.028, "mid-market": 0.016, "enterprise": 0.008, None: 0.03}
SEAT_RANGE: dict[str | None, tuple[int, int]] = {
    "smb": (2, 12),
    "mid-market": (8, 35),
    "enterprise": (20, 70),
    None: (1, 8),
}
INTERVALS: dict[str | None, tuple[tuple[str, int], ...]] = {
    "smb": (("month", 70), ("quarter", 12), ("year", 18)),
    "mid-market": (("month", 40), ("quarter", 20), ("year", 40)),
    "enterprise": (("month", 8), ("quarter", 12), ("year", 80)),
    None: (("month", 80), ("quarter", 10), ("year", 10)),
}
TIERS: dict[str | None, tuple[tuple[str, int], ...]] = {
    "smb": (("Starter", 55), ("Pro", 38), ("Business", 7)),
    "mid-market": (("Starter", 15), ("Pro", 55), ("Business", 30)),
    "enterprise": (("Starter", 0), ("Pro", 30), ("Business", 70)),
    None: (("Starter", 70), ("Pro", 30), ("Business", 0)),
}
INTERVAL_DISCOUNT_PERCENT = {"month": 0, "quarter": 5, "year": 15}
NEGOTIATED_DISCOUNT_PERCENT: dict[str | None, int] = {"smb": 0, "mid-market": 10, "enterprise": 25, None: 0}
ADDON_CHANCE: dict[str | None, float] = {"smb": 0.08, "mid-market": 0.3, "enterprise": 0.5, None: 0.04}
ADDON_PRICE_FACTOR: dict[str | None, int] = {"smb": 1, "mid-market": 2, "enterprise": 4, None: 1}
API_CHANCE: dict[str | None, float] = {"smb": 0.1, "mid-market": 0.35, "enterprise": 0.6, None: 0.05}
CONTACTS: dict[str | None, tuple[int, int]] = {
    "smb": (2, 5),
    "mid-market": (3, 8),
    "enterprise": (6, 14),
    None: (2, 4),
}
# What winning one customer costs sales and marketing, for spend.csv (CAC).
ACQUISITION_COST: dict[str | None, int] = {"smb": 1400, "mid-market": 6500, "enterprise": 28000, None: 900}
COMEBACK_CHANCE = 0.2
INTERVAL_ADJECTIVE = {"month": "monthly", "quarter": "quarterly", "year": "yearly"}
FAR_FUTURE = date(9999, 1, 1)

T = TypeVar("T")


@dataclass(slots=True)
class Span:
    subscription_id: str
    plan: str
    interval: str
    cents: int  # billed per interval
    starts_on: date
    ends_on: date | None
    seats: int  # licensed seats of a main-plan span; 0 for add-ons and one-off services


@dataclass(slots=True)
class Stint:
    """One stretch as a customer, from the first day of use to the day MRR drops to 0."""

    usage_from: date
    paid_from: date | None  # None: a trial that never paid
    churn_on: date | None  # may lie after the end (the decline already shows); None: no churn in sight
    decline_days: int
    seats: list[tuple[date, int]]  # licensed seats from each date on


@dataclass(slots=True)
class ContactPlan:
    id: str
    email: str
    name: str
    title: str


@dataclass(slots=True)
class AccountPlan:
    number: int
    external_id: str
    name: str
    segment: str | None
    csm_email: str  # "" when the account has no CSM
    created_on: date | None
    seats: int | None
    fit: float  # 0…1: how well the product fits; drives usage, sentiment and churn
    utilization: float  # share of the seats that become users
    tier: str
    api_from: date | None
    dip: tuple[date, date] | None  # a rough patch that passes without churn
    acquisition_month: date
    acquisition_cents: int
    stints: list[Stint] = field(default_factory=list)
    spans: list[Span] = field(default_factory=list)
    contacts: list[ContactPlan] = field(default_factory=list)


@dataclass(frozen=True)
class Archetype:
    """A scripted account, so that even a tiny demo shows every movement METRICS.md counts."""

    kind: str = "paid"  # paid | quick (starts and ends inside a month) | trial (never pays)
    segment: str | None = "smb"
    interval: str = "month"
    start_at: float = 0.05  # fraction of the history
    churn_at: float | None = None  # fraction of the history, above 1 = after the end; None = never
    comeback_days: int | None = None
    change_days: int | None = None  # the one change of plan, days after paying starts
    change: str = "up"
    addon: bool = False
    pilot: bool = False
    owned: bool = True


ARCHETYPES = (
    Archetype(segment="mid-market", change_days=150, change="up"),
    Archetype(change_days=200, change="down", start_at=0.1),
    Archetype(start_at=0.08, churn_at=0.4, comeback_days=120),
    Archetype(segment="mid-market", start_at=0.2, churn_at=0.7),
    Archetype(kind="quick", start_at=0.5),
    Archetype(start_at=0.3, churn_at=1.02),
    Archetype(segment="enterprise", interval="year", start_at=0.1, addon=True, pilot=True),
    Archetype(kind="trial", start_at=0.6),
    Archetype(segment=None, start_at=0.4, interval="quarter", owned=False),
)


def _weighted(rng: random.Random, choices: tuple[tuple[T, int], ...]) -> T:
    total = sum(weight for _, weight in choices)
    pick = rng.random() * total
    for value, weight in choices:
        pick -= weight
        if pick < 0:
            return value
    return choices[-1][0]


def _money_cents(*, seats: int, tier: str, interval: str, discount: int) -> int:
    months = MONTHS_PER_INTERVAL[interval]
    return seats * TIER_SEAT_PRICE[tier] * months * (100 - INTERVAL_DISCOUNT_PERCENT[interval] - discount)


def _plan_label(*, tier: str, interval: str, seats: int) -> str:
    return f"{tier} {INTERVAL_ADJECTIVE[interval]}, {seats} seat{'' if seats == 1 else 's'}"


@dataclass(slots=True)
class _Terms:
    seats: int
    tier: str
    interval: str


def _changed(rng: random.Random, terms: _Terms, direction: str) -> _Terms:
    tier_index = PLAN_TIERS.index(terms.tier)
    pick = rng.random()
    if direction == "up":
        if pick < 0.2 and tier_index < len(PLAN_TIERS) - 1:
            return _Terms(terms.seats, PLAN_TIERS[tier_index + 1], terms.interval)
        if pick < 0.3 and terms.interval == "month":
            # Committing to a year earns a discount; the seats added make it an expansion all the same.
            return _Terms(terms.seats + max(2, math.ceil(terms.seats * 0.3)), terms.tier, "year")
        return _Terms(
            terms.seats + max(1, round(terms.seats * rng.uniform(0.1, 0.5))), terms.tier, terms.interval
        )
    if (pick < 0.2 or terms.seats == 1) and tier_index > 0:
        return _Terms(terms.seats, PLAN_TIERS[tier_index - 1], terms.interval)
    return _Terms(
        max(1, terms.seats - max(1, round(terms.seats * rng.uniform(0.1, 0.4)))), terms.tier, terms.interval
    )


class _Life:
    """Draws the stints and spans of one account."""

    def __init__(
        self, rng: random.Random, *, plan: AccountPlan, timeline: Timeline, archetype: Archetype | None
    ) -> None:
        self.rng = rng
        self.plan = plan
        self.timeline = timeline
        self.archetype = archetype
        self.sub_prefix = f"sub_{plan.number:06d}"
        self.subscriptions = 0
        self.discount = rng.randint(0, NEGOTIATED_DISCOUNT_PERCENT[plan.segment])

    def _next_subscription_id(self, kind: str = "") -> str:
        self.subscriptions += 1
        return f"{self.sub_prefix}_{kind}{self.subscriptions}"

    def _days(self, fraction: float) -> date:
        return self.timeline.start + timedelta(days=int(fraction * self.timeline.days))

    def paid(self, *, start: date, usage_lead: int, hazard: float, pilot: bool, comeback: bool) -> Stint:
        """A paying stint from `start`: a main subscription whose spans change plan, then maybe churn."""
        rng, end, archetype = self.rng, self.timeline.end, self.archetype
        segment = self.plan.segment
        terms = _Terms(
            seats=rng.randint(*SEAT_RANGE[segment]),
            tier=self.plan.tier,
            interval=archetype.interval if archetype else _weighted(rng, INTERVALS[segment]),
        )
        subscription_id = self._next_subscription_id()
        spans = self.plan.spans
        day = start
        if pilot:
            pilot_end = day + timedelta(days=rng.randint(14, 30))
            if pilot_end <= end:
                spans.append(Span(subscription_id, "Pilot", "month", 0, day, pilot_end, terms.seats))
                day = pilot_end
        paid_from = day
        usage_from = (start if pilot else paid_from) + timedelta(days=usage_lead)

        churn_sample: date | None
        if archetype:
            churn_sample = None if archetype.churn_at is None or comeback else self._days(archetype.churn_at)
        else:
            months = min(rng.expovariate(hazard), 600.0)
            churn_sample = paid_from + timedelta(days=int(months * 30.44))
        decline_days = rng.randint(60, 150)
        stop = min(churn_sample or FAR_FUTURE, end + timedelta(days=1))

        seats = [(paid_from, terms.seats)]
        span_start = paid_from
        changes_left = 1 if archetype and archetype.change_days and not comeback else 0
        while True:
            if archetype:
                if not changes_left:
                    break
                changes_left -= 1
                change_at = paid_from + timedelta(days=archetype.change_days or 0)
            else:
                change_at = span_start + timedelta(days=45 + int(rng.expovariate(1 / 200)))
                if terms.interval != "month" and rng.random() < 0.7:
                    change_at = term_end_after(starts_on=span_start, interval=terms.interval, day=change_at)
            if change_at >= stop:
                break
            if archetype:
                direction = archetype.change
            else:
                near_churn = churn_sample is not None and (churn_sample - change_at).days < decline_days + 60
                direction = "down" if rng.random() < (0.7 if near_churn else 0.2) else "up"
            new_terms = _changed(rng, terms, direction)
            if new_terms == terms:
                continue
            spans.append(self._main_span(subscription_id, terms, span_start, change_at))
            span_start, terms = change_at, new_terms
            seats.append((change_at, terms.seats))

        churn_on = None
        if churn_sample is not None:
            churn_on = term_end_after(
                starts_on=span_start, interval=terms.interval, day=max(churn_sample, span_start)
            )
        ends_on = churn_on if churn_on is not None and churn_on <= end else None
        spans.append(self._main_span(subscription_id, terms, span_start, ends_on))
        self.plan.seats = terms.seats

        stint = Stint(
            usage_from=usage_from,
            paid_from=paid_from,
            churn_on=churn_on,
            decline_days=decline_days,
            seats=seats,
        )
        self._addon(stint, interval=terms.interval)
        if not archetype and rng.random() < 0.04:
            self._training(stint)
        return stint

    def _main_span(self, subscription_id: str, terms: _Terms, starts_on: date, ends_on: date | None) -> Span:
        cents = _money_cents(
            seats=terms.seats, tier=terms.tier, interval=terms.interval, discount=self.discount
        )
        label = _plan_label(tier=terms.tier, interval=terms.interval, seats=terms.seats)
        return Span(subscription_id, label, terms.interval, cents, starts_on, ends_on, terms.seats)

    def _addon(self, stint: Stint, *, interval: str) -> None:
        rng, end, archetype = self.rng, self.timeline.end, self.archetype
        segment = self.plan.segment
        wanted = archetype.addon if archetype else rng.random() < ADDON_CHANCE[segment]
        if not wanted or stint.paid_from is None:
            return
        starts_on = stint.paid_from + timedelta(days=60 if archetype else rng.randint(20, 400))
        limit = min(stint.churn_on or FAR_FUTURE, end + timedelta(days=1))
        if starts_on >= limit:
            return
        name, price = ADDONS[rng.randrange(len(ADDONS))]
        addon_interval = "year" if interval == "year" and rng.random() < 0.7 else "month"
        cents = (
            price
            * ADDON_PRICE_FACTOR[segment]
            * MONTHS_PER_INTERVAL[addon_interval]
            * (100 - INTERVAL_DISCOUNT_PERCENT[addon_interval])
        )
        ends_on: date | None = None
        if not archetype and rng.random() < 0.25:
            cancel = term_end_after(
                starts_on=starts_on,
                interval=addon_interval,
                day=starts_on + timedelta(days=rng.randint(60, 500)),
            )
            if cancel < limit:
                ends_on = cancel
        if ends_on is None and stint.churn_on is not None and stint.churn_on <= end:
            ends_on = stint.churn_on
        self.plan.spans.append(
            Span(self._next_subscription_id("a"), name, addon_interval, cents, starts_on, ends_on, 0)
        )

    def _training(self, stint: Stint) -> None:
        """A one-off service billed as a subscription that starts and ends inside one month."""
        rng = self.rng
        assert stint.paid_from is not None
        day = stint.paid_from + timedelta(days=rng.randint(10, 300))
        day = day.replace(day=min(day.day, rng.randint(1, 12)))
        ends_on = day + timedelta(days=rng.randint(3, 14))
        limit = min(stint.churn_on or FAR_FUTURE, self.timeline.end + timedelta(days=1))
        if day < stint.paid_from or ends_on >= limit:
            return
        cents = rng.choice((500, 900, 1500)) * 100 * ADDON_PRICE_FACTOR[self.plan.segment]
        self.plan.spans.append(
            Span(self._next_subscription_id("t"), TRAINING_PLAN, "month", cents, day, ends_on, 0)
        )

    def quick(self, *, start: date) -> Stint:
        """A customer who cancels within days: one span that starts and ends inside one month."""
        rng, end = self.rng, self.timeline.end
        day = start.replace(day=min(start.day, rng.randint(1, 14)))
        ends_on = day + timedelta(days=rng.randint(4, 13))
        if ends_on > end:
            day = (month_start(day) - timedelta(days=1)).replace(day=day.day)
            ends_on = day + timedelta(days=rng.randint(4, 13))
        terms = _Terms(
            seats=rng.randint(*SEAT_RANGE[self.plan.segment]), tier=self.plan.tier, interval="month"
        )
        self.plan.spans.append(self._main_span(self._next_subscription_id(), terms, day, ends_on))
        self.plan.seats = terms.seats
        return Stint(
            usage_from=day, paid_from=day, churn_on=ends_on, decline_days=0, seats=[(day, terms.seats)]
        )


def account_plan(*, number: int, seed: int, team: Team, timeline: Timeline) -> AccountPlan:
    """The whole life of account `number` (1-based) within `timeline`; the first few follow ARCHETYPES."""
    rng = random.Random(f"{seed}:account:{number}")
    archetype = ARCHETYPES[number - 1] if number <= len(ARCHETYPES) else None
    segment = archetype.segment if archetype else _weighted(rng, SEGMENTS)

    csm: Member | None = None
    if archetype.owned if archetype else rng.random() >= 0.03:
        owners = [m for m in team.csms if m.enterprise == (segment == "enterprise")] or list(team.csms)
        csm = owners[rng.randrange(len(owners))]

    if archetype:
        start = timeline.start + timedelta(days=int(archetype.start_at * timeline.days))
        kind = archetype.kind
    else:
        # Sign-ups grow over the three years: density ∝ e^(g·t).
        growth = 1.1
        position = math.log1p(rng.random() * math.expm1(growth)) / growth
        start = timeline.start + timedelta(days=min(int(position * timeline.days), timeline.days - 1))
        pick = rng.random()
        kind = "trial" if pick < 0.03 else "quick" if pick < 0.05 else "paid"

    fit = rng.betavariate(5, 2)
    tier = _weighted(rng, TIERS[segment])
    trial_first = kind == "trial" or rng.random() < 0.3
    created_on = start - timedelta(days=rng.randint(7, 30) if trial_first else rng.randint(0, 10))
    acquisition_cents = int(ACQUISITION_COST[segment] * rng.lognormvariate(0, 0.35) * 100)
    plan = AccountPlan(
        number=number,
        external_id=f"ACC-{number:06d}",
        name=account_name(number=number, seed=seed),
        segment=segment,
        csm_email=csm.email if csm else "",
        created_on=created_on,
        seats=None,
        fit=fit,
        utilization=min(1.05, (0.35 + 0.6 * fit) * rng.uniform(0.75, 1.15)),
        tier=tier,
        api_from=None,
        dip=None,
        acquisition_month=max(month_start(created_on), month_start(timeline.start)),
        acquisition_cents=acquisition_cents,
    )

    life = _Life(rng, plan=plan, timeline=timeline, archetype=archetype)
    owner_factor = csm.churn_factor if csm else 1.3
    hazard = CHURN_HAZARD[segment] * owner_factor * (1.7 - fit)
    if kind == "trial":
        plan.seats = rng.randint(*SEAT_RANGE[segment])
        usage_from = max(created_on, timeline.start)
        plan.stints.append(
            Stint(
                usage_from=usage_from,
                paid_from=None,
                churn_on=usage_from + timedelta(days=rng.randint(10, 21)),
                decline_days=0,
                seats=[(usage_from, plan.seats)],
            )
        )
    elif kind == "quick":
        plan.stints.append(life.quick(start=start))
    else:
        pilot = archetype.pilot if archetype else rng.random() < 0.06
        usage_lead = -(start - created_on).days if trial_first else min(21, int(rng.expovariate(1 / 4)))
        stint = life.paid(start=start, usage_lead=usage_lead, hazard=hazard, pilot=pilot, comeback=False)
        plan.stints.append(stint)
        while stint.churn_on is not None and stint.churn_on <= timeline.end:
            if archetype:
                if archetype.comeback_days is None or len(plan.stints) > 1:
                    break
                back = stint.churn_on + timedelta(days=archetype.comeback_days)
            else:
                if rng.random() >= COMEBACK_CHANCE:
                    break
                back = stint.churn_on + timedelta(days=rng.randint(45, 420))
            if back > timeline.end:
                break
            stint = life.paid(start=back, usage_lead=0, hazard=hazard * 0.8, pilot=False, comeback=True)
            plan.stints.append(stint)

        first = plan.stints[0]
        if first.paid_from is not None and plan.tier != "Starter" and rng.random() < API_CHANCE[segment]:
            plan.api_from = first.paid_from + timedelta(days=rng.randint(10, 120))
        if not archetype and rng.random() < 0.15 and first.paid_from is not None:
            dip_from = first.paid_from + timedelta(days=rng.randint(90, 700))
            plan.dip = (dip_from, dip_from + timedelta(days=rng.randint(20, 60)))
        # A few paying accounts are in a rough patch at the end (much less use, a sourer mood, still going), so a
        # new demo has accounts at risk in the books. Drawn apart, so that the rest of the company stays as it was.
        slip = random.Random(f"{seed}:slip:{number}")
        last = plan.stints[-1]
        if (
            plan.dip is None
            and last.paid_from is not None
            and (last.churn_on is None or last.churn_on > timeline.end)
            and (timeline.end - last.paid_from).days > 180
            and slip.random() < SLIPPING_SHARE
        ):
            plan.dip = (
                timeline.end - timedelta(days=slip.randint(10, 28)),
                timeline.end + timedelta(days=90),
            )

    if not archetype:
        if rng.random() < 0.03:
            plan.seats = None
        if rng.random() < 0.01:
            plan.created_on = None
    plan.contacts = _contacts(rng, plan)
    return plan


def _contacts(rng: random.Random, plan: AccountPlan) -> list[ContactPlan]:
    domain = ascii_slug(plan.name, "-") + ".example"
    emails: set[str] = set()
    contacts: list[ContactPlan] = []
    for k in range(1, rng.randint(*CONTACTS[plan.segment]) + 1):
        first = FIRST_NAMES[rng.randrange(len(FIRST_NAMES))]
        last = LAST_NAMES[rng.randrange(len(LAST_NAMES))]
        local = f"{ascii_slug(first)}.{ascii_slug(last)}"
        email = f"{local}@{domain}"
        if email in emails:
            email = f"{local}{k}@{domain}"
        emails.add(email)
        contacts.append(
            ContactPlan(
                id=f"C{plan.number:06d}-{k}",
                email=email,
                name=f"{first} {last}",
                title=CONTACT_TITLES[rng.randrange(len(CONTACT_TITLES))],
            )
        )
    return contacts
