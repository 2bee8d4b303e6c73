"""Writes the demo company as a CSV bundle (DATA.md section 1), streaming one account at a time."""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, Any

from accounts.demo.company import account_plan
from accounts.demo.histories import response_rows, ticket_plans, ticket_rows, usage_lines
from accounts.demo.team import Team, team_plan
from accounts.demo.timeline import Timeline, month_start, timeline_build
from accounts.months import add_months

HEADERS = {
    "team.csv": ("email", "name", "role"),
    "accounts.csv": ("id", "name", "segment", "csm_email", "created_on", "seats"),
    "contacts.csv": ("id", "account_id", "email", "name", "title"),
    "subscriptions.csv": (
        "subscription_id",
        "account_id",
        "plan",
        "interval",
        "amount",
        "currency",
        "starts_on",
        "ends_on",
    ),
    "tickets.csv": (
        "id",
        "account_id",
        "subject",
        "priority",
        "status",
        "created_at",
        "first_response_at",
        "resolved_at",
        "replies",
    ),
    "usage.csv": ("account_id", "user_id", "event", "occurred_at", "count"),
    "responses.csv": ("id", "kind", "score", "responded_at", "contact_id", "account_id", "comment"),
    "spend.csv": ("month", "amount"),
}
WRITE_BUFFER = 1 << 20
# Brand marketing a month, per account the demo will have, on top of what winning each customer costs.
BRAND_SPEND_PER_ACCOUNT = 4


@dataclass
class BundleSummary:
    """What was written: rows per file (header excluded) and the team, whose logins the demo prints."""

    path: Path
    team: Team
    start: date
    end: date
    rows: dict[str, int] = field(default_factory=dict)


def money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def _iso(day: date | None) -> str:
    return "" if day is None else day.isoformat()


@contextmanager
def _writers(directory: Path) -> Iterator[tuple[dict[str, Any], dict[str, IO[str]]]]:
    """A csv writer and the open file of every bundle file, headers written."""
    with ExitStack() as stack:
        writers: dict[str, Any] = {}
        files: dict[str, IO[str]] = {}
        for name, header in HEADERS.items():
            handle = stack.enter_context(
                (directory / name).open("w", encoding="utf-8", newline="", buffering=WRITE_BUFFER)
            )
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(header)
            writers[name] = writer
            files[name] = handle
        yield writers, files


def bundle_write(
    *,
    directory: Path,
    accounts: int,
    seed: int,
    end: date,
    usage_days: int | None,
    currency: str,
    time_zone: str,
    usage_density: float = 1.0,
) -> BundleSummary:
    """Write the demo company's bundle into `directory` (created if missing; its bundle files are replaced).

    The same arguments always give the same bytes. `usage_days` keeps only the usage of the last that many days
    up to `end`; every other history covers the 36 months ending on `end`. `usage_density` scales how active
    the accounts' users are (histories.usage_lines): 1.0 is the demo's rhythm.
    """
    directory.mkdir(parents=True, exist_ok=True)
    timeline = timeline_build(end=end, time_zone=time_zone, seed=seed)
    team = team_plan(accounts=accounts, seed=seed)
    first_usage_day = 0 if usage_days is None else max(0, timeline.days - usage_days)
    first_month = month_start(timeline.start)
    months = (end.year - first_month.year) * 12 + end.month - first_month.month + 1
    acquisition = [0] * months
    rows = dict.fromkeys(HEADERS, 0)

    with _writers(directory) as (out, files):
        out["team.csv"].writerows((member.email, member.name, member.role) for member in team.members)
        rows["team.csv"] = len(team.members)
        for number in range(1, accounts + 1):
            plan = account_plan(number=number, seed=seed, team=team, timeline=timeline)
            account_id = plan.external_id
            out["accounts.csv"].writerow(
                (
                    account_id,
                    plan.name,
                    plan.segment or "",
                    plan.csm_email,
                    _iso(plan.created_on),
                    "" if plan.seats is None else plan.seats,
                )
            )
            out["contacts.csv"].writerows(
                (contact.id, account_id, contact.email, contact.name, contact.title)
                for contact in plan.contacts
            )
            out["subscriptions.csv"].writerows(
                (
                    span.subscription_id,
                    account_id,
                    span.plan,
                    span.interval,
                    money(span.cents),
                    currency,
                    span.starts_on.isoformat(),
                    _iso(span.ends_on),
                )
                for span in plan.spans
            )
            tickets = ticket_plans(plan, timeline=timeline, seed=seed)
            ticket_lines = ticket_rows(plan, tickets, timeline=timeline)
            out["tickets.csv"].writerows(ticket_lines)
            responses = response_rows(plan, tickets, timeline=timeline, seed=seed)
            out["responses.csv"].writerows(responses)
            usage = usage_lines(
                plan, timeline=timeline, seed=seed, first_day=first_usage_day, density=usage_density
            )
            files["usage.csv"].write("".join(usage))

            rows["accounts.csv"] += 1
            rows["contacts.csv"] += len(plan.contacts)
            rows["subscriptions.csv"] += len(plan.spans)
            rows["tickets.csv"] += len(ticket_lines)
            rows["responses.csv"] += len(responses)
            rows["usage.csv"] += len(usage)
            month = (plan.acquisition_month.year - first_month.year) * 12 + (
                plan.acquisition_month.month - first_month.month
            )
            acquisition[month] += plan.acquisition_cents

        rows["spend.csv"] = _write_spend(
            out["spend.csv"], timeline, acquisition, accounts=accounts, seed=seed
        )
    return BundleSummary(path=directory, team=team, start=timeline.start, end=end, rows=rows)


def _write_spend(writer: Any, timeline: Timeline, acquisition: list[int], *, accounts: int, seed: int) -> int:
    """Monthly sales & marketing spend: what the month's sign-ups cost, plus brand marketing with some noise."""
    rng = random.Random(f"{seed}:spend")
    first_month = month_start(timeline.start)
    for index, cents in enumerate(acquisition):
        brand = int(BRAND_SPEND_PER_ACCOUNT * accounts * 100 * rng.uniform(0.7, 1.3))
        writer.writerow((add_months(first_month, index).strftime("%Y-%m"), money(cents + brand)))
    return len(acquisition)
