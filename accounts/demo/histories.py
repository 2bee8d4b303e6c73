"""What happens to an account day by day: product usage, support tickets and survey answers, drawn from its plan.

Each kind of history has its own random stream per account, so that cutting usage to the last days
(`usage_days`) leaves tickets and responses as they were. The usage loop is the hot path of the demo (tens of
millions of rows for a large base): it works on day indexes and precomputed strings, and calls nothing but the
random stream per user and day.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from accounts.demo.company import AccountPlan, Stint
from accounts.demo.names import COMMENTS, TICKET_SUBJECTS
from accounts.demo.timeline import CLOCK_BITS, Timeline

TicketRow = tuple[str, str, str, str, str, str, str, str, str]
ResponseRow = tuple[str, str, int, str, str, str, str]

ONBOARDING_DAYS = 45
WEEKEND_FACTOR = 0.12
# Chance that an active user creates a report on a day, by plan tier (richer plans report more).
REPORT_CHANCE = {"Starter": 0.05, "Pro": 0.1, "Business": 0.16}
API_CALLS_PER_DAY = {"smb": 80, "mid-market": 300, "enterprise": 1200, None: 50}

MONTHLY_TICKETS = {"smb": 0.35, "mid-market": 0.8, "enterprise": 1.6, None: 0.3}
PRIORITIES = ("low", "normal", "high", "urgent")
FIRST_RESPONSE_HOURS = {"low": 14.0, "normal": 6.0, "high": 2.0, "urgent": 0.7}
RESOLUTION_HOURS = {"low": 80.0, "normal": 40.0, "high": 20.0, "urgent": 8.0}
NPS_CYCLE_DAYS = 90


def _stint_bounds(stint: Stint, timeline: Timeline) -> tuple[int, int, int]:
    """(first usage day, first day after the stint, first day of its decline) as day indexes."""
    start = timeline.index(stint.usage_from)
    stop = timeline.index(stint.churn_on) if stint.churn_on else timeline.days + 1
    decline = stop - stint.decline_days if stint.churn_on and stint.decline_days else 1 << 30
    return start, stop, decline


def _decline(day: int, decline_from: int, decline_days: int) -> float:
    """0 before the decline, rising to 1 on the churn day."""
    if day < decline_from:
        return 0.0
    return min(1.0, (day - decline_from) / decline_days)


def _users(rng: random.Random, plan: AccountPlan) -> tuple[list[str], list[float]]:
    """The account's end users, the champion first, each with their chance of being active on a weekday."""
    most_seats = max(seats for stint in plan.stints for _, seats in stint.seats)
    count = max(1, math.ceil(most_seats * plan.utilization))
    ids = [f"u{plan.number}-{k}" for k in range(1, count + 1)]
    chances = [0.85]
    for _ in range(count - 1):
        pick = rng.random()
        if pick < 0.2:
            chances.append(rng.uniform(0.45, 0.8))
        elif pick < 0.7:
            chances.append(rng.uniform(0.15, 0.4))
        else:
            chances.append(rng.uniform(0.04, 0.15))
    return ids, chances


def usage_lines(
    plan: AccountPlan, *, timeline: Timeline, seed: int, first_day: int, density: float = 1.0
) -> list[str]:
    """usage.csv lines: one per user, event name and active day (`count` = how many times), from `first_day`.

    `density` scales every user's chance of being active on a day (1.0: the demo's own rhythm, about 1,900 rows
    an account over 36 months; the bench's event-dense bundle takes less or more of it without another generator).

    Lines are built as strings rather than through csv.writer: this is the hot path, and every field is an
    identifier or a number the demo makes, none of which needs quoting.
    """
    rng = random.Random(f"{seed}:usage:{plan.number}")
    rand, bits = rng.random, rng.getrandbits
    user_ids, chances = _users(rng, plan)
    account_id = plan.external_id
    logins = [f"{account_id},{user},login," for user in user_ids]
    dashboards = [f"{account_id},{user},view_dashboard," for user in user_ids]
    prefixes, tails, clock = timeline.prefixes, timeline.tails, timeline.clock
    weekend, season = timeline.weekend, timeline.season
    report_chance = REPORT_CHANCE[plan.tier]
    export_until = report_chance + 0.05
    project_until = export_until + 0.015
    alert_until = project_until + 0.004
    level = (0.55 + 0.6 * plan.fit) * density
    api_from = timeline.index(plan.api_from) if plan.api_from else 1 << 30
    api_calls = API_CALLS_PER_DAY[plan.segment]
    api_head = f"{account_id},api-{plan.number},api_call,"
    invite_head = f"{account_id},{user_ids[0]},invite_user,"
    dip_from, dip_to = (
        (timeline.index(plan.dip[0]), timeline.index(plan.dip[1])) if plan.dip else (1 << 30, 1 << 30)
    )
    lines: list[str] = []
    append = lines.append

    for stint in plan.stints:
        start, stop, decline_from = _stint_bounds(stint, timeline)
        stop = min(stop, timeline.days)
        if start >= stop:
            continue
        steps = [(timeline.index(day), seats) for day, seats in stint.seats]
        step = 0
        enrolled_before = 1
        for day in range(max(start, 0), stop):
            while step + 1 < len(steps) and steps[step + 1][0] <= day:
                step += 1
            age = day - start
            ramp = 1.0 if age >= ONBOARDING_DAYS else 0.3 + 0.7 * age / ONBOARDING_DAYS
            enrolled = min(len(user_ids), max(1, math.ceil(steps[step][1] * plan.utilization * ramp)))
            if day < first_day:
                enrolled_before = enrolled
                continue
            level_today = level * season[day] * ramp
            users_today = enrolled
            if day >= decline_from:
                # Heading to churn, people drop out and those left use it less, until nobody does in the
                # last weeks: activity, adoption and recency all show it.
                decline = (day - decline_from) / stint.decline_days
                level_today *= max(0.0, 1.0 - 1.2 * decline)
                users_today = max(1, math.ceil(enrolled * (1.0 - 0.85 * decline)))
            if dip_from <= day < dip_to:
                level_today *= 0.35
                if (
                    dip_to > timeline.days
                ):  # a rough patch still going at the end (company.py): one user, rarely
                    level_today *= 0.3
                    users_today = 1
            prefix, tail = prefixes[day], tails[day]
            if enrolled > enrolled_before:
                invited = enrolled - enrolled_before
                append(f"{invite_head}{prefix}{clock[bits(CLOCK_BITS)]}{tail[0]}{invited}\n")
            enrolled_before = enrolled
            if day >= api_from and stint.paid_from is not None:
                calls = int(api_calls * level_today * (0.5 + rand()) * (0.6 if weekend[day] else 1.0))
                if calls > 0:
                    append(f"{api_head}{prefix}{clock[bits(CLOCK_BITS)]}{tail[0]}{calls}\n")
            if weekend[day]:
                level_today *= WEEKEND_FACTOR
            for k in range(users_today):
                if rand() >= chances[k] * level_today:
                    continue
                moment = bits(CLOCK_BITS)
                flags = bits(12)
                append(logins[k] + prefix + clock[moment] + tail[2 if flags < 600 else 1])
                if not flags & 3:
                    # Later the same day: the clock table runs past CLOCK_SIZE so that no bound check is needed.
                    append(dashboards[k] + prefix + clock[moment + 1 + (flags >> 7)] + tail[1 + (flags >> 9)])
                pick = rand()
                if pick < alert_until:
                    event = (
                        "create_report"
                        if pick < report_chance
                        else "export_csv"
                        if pick < export_until
                        else "project_created"
                        if pick < project_until
                        else "configure_alert"
                    )
                    when = clock[moment + 2 + (flags >> 6)]
                    append(f"{account_id},{user_ids[k]},{event},{prefix}{when}{tail[1]}")
    return lines


@dataclass(slots=True)
class TicketPlan:
    subject: str
    priority: str
    created_at: datetime  # naive UTC, like the two below
    first_response_at: datetime | None
    resolved_at: datetime | None
    replies: int | None
    # 0 (smooth) … 1 (awful): how the customer experienced it, for the CSAT/CES that may follow.
    pain: float
    mood: float


def _mood(plan: AccountPlan, day: int, decline: float, timeline: Timeline) -> float:
    """How the account feels about the product on a day, 0…1."""
    mood = (0.3 + 0.7 * plan.fit) * (1.0 - 0.8 * decline)
    if plan.dip and timeline.index(plan.dip[0]) <= day < timeline.index(plan.dip[1]) + 30:
        mood *= 0.6
    return mood


def ticket_plans(plan: AccountPlan, *, timeline: Timeline, seed: int) -> list[TicketPlan]:
    """The account's tickets in creation order: more, and more urgent, as it heads to churn."""
    rng = random.Random(f"{seed}:tickets:{plan.number}")
    base = MONTHLY_TICKETS[plan.segment] * (1.4 - 0.6 * plan.fit) / 30
    # Thinning: draw at the highest rate a day can have, keep each draw with rate(day) / peak.
    peak = base * 4.5
    tickets: list[TicketPlan] = []
    for stint in plan.stints:
        start, stop, decline_from = _stint_bounds(stint, timeline)
        start, stop = max(start, 0), min(stop, timeline.days)
        if start >= stop:
            continue
        moment = start + rng.expovariate(peak)
        while moment < stop:
            day = int(moment)
            decline = _decline(day, decline_from, stint.decline_days)
            rate = 1.0 + (0.8 if day - start < ONBOARDING_DAYS else 0.0) + 2.7 * decline
            if timeline.weekend[day]:
                rate *= 0.4
            if rng.random() * 4.5 < rate:
                tickets.append(_ticket(rng, plan, timeline, day=day, decline=decline, incident=False))
            moment += rng.expovariate(peak)
        outage_chance = 0.35 if plan.segment == "enterprise" else 0.12
        for day in timeline.incidents:
            if start <= day < stop and stint.paid_from is not None and rng.random() < outage_chance:
                decline = _decline(day, decline_from, stint.decline_days)
                tickets.append(_ticket(rng, plan, timeline, day=day, decline=decline, incident=True))
    tickets.sort(key=lambda ticket: ticket.created_at)
    return tickets


def _ticket(
    rng: random.Random, plan: AccountPlan, timeline: Timeline, *, day: int, decline: float, incident: bool
) -> TicketPlan:
    if incident:
        priority, subject = "urgent", "Outage: dashboard does not load"
    else:
        weights = (20 - 10 * decline, 55 - 10 * decline, 18 + 12 * decline, 7 + 10 * decline)
        pick = rng.random() * sum(weights)
        priority = PRIORITIES[-1]
        for name, weight in zip(PRIORITIES, weights, strict=True):
            pick -= weight
            if pick < 0:
                priority = name
                break
        subjects = TICKET_SUBJECTS[priority]
        subject = subjects[rng.randrange(len(subjects))]
    created_at = timeline.instant(
        day, timeline.clock_seconds[rng.getrandbits(CLOCK_BITS)] + rng.randrange(60)
    )
    response_hours = FIRST_RESPONSE_HOURS[priority] * rng.lognormvariate(0, 0.8)
    resolution_hours = max(
        response_hours + 0.2, RESOLUTION_HOURS[priority] * rng.lognormvariate(0, 0.9) * (1 + decline)
    )
    # Some tickets are forgotten in a queue: solved weeks later, or (rarely) never.
    forgotten = rng.random() < 0.03
    if forgotten:
        resolution_hours += rng.uniform(10, 60) * 24
    first_response_at: datetime | None = created_at + timedelta(seconds=int(response_hours * 3600))
    resolved_at: datetime | None = created_at + timedelta(seconds=int(resolution_hours * 3600))
    if forgotten and rng.random() < 0.1:
        resolved_at = None
    if resolution_hours < 8 or rng.random() < 0.25:
        replies: int | None = rng.randint(0, 1)
    else:
        replies = min(12, 2 + int(resolution_hours / 48) + rng.randint(0, 2))
    if rng.random() < 0.08:
        replies = None
    if first_response_at is not None and first_response_at >= timeline.cutoff:
        first_response_at = None
        resolved_at = None
    if resolved_at is not None and resolved_at >= timeline.cutoff:
        resolved_at = None
    pain = min(1.0, resolution_hours / (4 * RESOLUTION_HOURS[priority]))
    return TicketPlan(
        subject=subject,
        priority=priority,
        created_at=created_at,
        first_response_at=first_response_at,
        resolved_at=resolved_at,
        replies=replies,
        pain=pain,
        mood=_mood(plan, day, decline, timeline),
    )


def _utc(moment: datetime | None) -> str:
    return "" if moment is None else moment.isoformat() + "Z"


def ticket_rows(plan: AccountPlan, tickets: list[TicketPlan], *, timeline: Timeline) -> list[TicketRow]:
    rows: list[TicketRow] = []
    for k, ticket in enumerate(tickets, start=1):
        if ticket.resolved_at is not None:
            status = "closed" if timeline.cutoff - ticket.resolved_at > timedelta(days=4) else "solved"
        elif ticket.first_response_at is None:
            status = "new"
        else:
            status = ("open", "pending", "hold")[k % 3]
        rows.append(
            (
                f"T{plan.number:06d}-{k}",
                plan.external_id,
                ticket.subject,
                ticket.priority,
                status,
                _utc(ticket.created_at),
                _utc(ticket.first_response_at),
                _utc(ticket.resolved_at),
                "" if ticket.replies is None else str(ticket.replies),
            )
        )
    return rows


def _clamp(value: float, low: int, high: int) -> int:
    return min(high, max(low, round(value)))


def _comment(rng: random.Random, feeling: str) -> str:
    if rng.random() < 0.5:
        return ""
    comments = COMMENTS[feeling]
    return comments[rng.randrange(len(comments))]


def response_rows(
    plan: AccountPlan, tickets: list[TicketPlan], *, timeline: Timeline, seed: int
) -> list[ResponseRow]:
    """NPS every quarter to every contact (about a quarter answer), CSAT and CES after some resolved tickets.

    Some answers come from an in-app survey and name only the account. Detractors grow as the account heads to
    churn.
    """
    rng = random.Random(f"{seed}:responses:{plan.number}")
    contacts = plan.contacts
    answers: list[tuple[datetime, str, int, str, str, str]] = []

    def who() -> tuple[str, str]:
        """(contact_id, account_id) as written: a contact, sometimes with its account, or the account alone."""
        if not contacts or rng.random() < 0.1:
            return "", plan.external_id
        contact = contacts[rng.randrange(len(contacts))]
        return contact.id, plan.external_id if rng.random() < 0.3 else ""

    def nps(moment: datetime, mood: float, contact_id: str, account_id: str) -> None:
        score = _clamp(rng.gauss(mood * 10 + 1.2, 1.8), 0, 10)
        feeling = "good" if score >= 9 else "bad" if score <= 6 else "mixed"
        answers.append((moment, "nps", score, contact_id, account_id, _comment(rng, feeling)))

    for stint in plan.stints:
        if stint.paid_from is None:
            continue
        _, stop, decline_from = _stint_bounds(stint, timeline)
        stop = min(stop, timeline.days)
        day = timeline.index(stint.paid_from) + rng.randint(30, 90)
        while day < stop:
            mood = _mood(plan, day, _decline(day, decline_from, stint.decline_days), timeline)
            for contact in contacts:
                if rng.random() < 0.25:
                    answered = day + rng.randint(0, 6)
                    moment = timeline.instant(
                        min(answered, stop), timeline.clock_seconds[rng.getrandbits(CLOCK_BITS)]
                    )
                    if answered < stop and moment < timeline.cutoff:
                        nps(moment, mood, contact.id, plan.external_id if rng.random() < 0.3 else "")
            if rng.random() < 0.2:
                moment = timeline.instant(day, timeline.clock_seconds[rng.getrandbits(CLOCK_BITS)])
                if moment < timeline.cutoff:
                    nps(moment, mood, "", plan.external_id)
            day += NPS_CYCLE_DAYS + rng.randint(0, 14)

    for ticket in tickets:
        if ticket.resolved_at is None:
            continue
        pick = rng.random()
        if pick >= 0.45:
            continue
        moment = ticket.resolved_at + timedelta(seconds=rng.randint(3600, 48 * 3600))
        if moment >= timeline.cutoff:
            continue
        quality = 0.5 * ticket.mood + 0.5 * (1.0 - ticket.pain)
        contact_id, account_id = who()
        if pick < 0.3:
            score = _clamp(rng.gauss(1 + 4.3 * quality, 0.8), 1, 5)
            feeling = "good" if score >= 4 else "bad" if score <= 2 else "mixed"
            answers.append((moment, "csat", score, contact_id, account_id, _comment(rng, feeling)))
        else:
            score = _clamp(rng.gauss(1.5 + 5.5 * quality, 1.0), 1, 7)
            feeling = "good" if score >= 6 else "bad" if score <= 3 else "mixed"
            answers.append((moment, "ces", score, contact_id, account_id, _comment(rng, feeling)))

    answers.sort(key=lambda answer: answer[0])
    return [
        (f"R{plan.number:06d}-{k}", kind, score, _utc(moment), contact_id, account_id, comment)
        for k, (moment, kind, score, contact_id, account_id, comment) in enumerate(answers, start=1)
    ]
