"""The demo company's customer success team: an admin, a VP and CSMs, with realistic names."""

from __future__ import annotations

import random
from dataclasses import dataclass

from accounts.demo.names import FIRST_NAMES, LAST_NAMES, ascii_slug

TEAM_DOMAIN = "keel.example"
ACCOUNTS_PER_CSM = 70
MAX_CSMS = 300


@dataclass(frozen=True)
class Member:
    email: str
    name: str
    role: str
    # A CSM's accounts churn this much more (or less) than average.
    churn_factor: float = 1.0
    enterprise: bool = False


@dataclass(frozen=True)
class Team:
    admin: Member
    vp: Member
    csms: tuple[Member, ...]

    @property
    def members(self) -> tuple[Member, ...]:
        return (self.admin, self.vp, *self.csms)


def csm_count(accounts: int) -> int:
    return min(MAX_CSMS, max(4, round(accounts / ACCOUNTS_PER_CSM)))


def team_plan(*, accounts: int, seed: int) -> Team:
    """An admin, a VP and one CSM per ~70 accounts (4 to 300); the first fifth of the CSMs own enterprise."""
    rng = random.Random(f"{seed}:team")
    count = csm_count(accounts)
    picks = rng.sample(range(len(FIRST_NAMES) * len(LAST_NAMES)), count + 2)
    people: list[tuple[str, str]] = []
    emails: set[str] = set()
    for pick in picks:
        first, last = FIRST_NAMES[pick % len(FIRST_NAMES)], LAST_NAMES[pick // len(FIRST_NAMES)]
        email = f"{ascii_slug(first)}.{ascii_slug(last)}@{TEAM_DOMAIN}"
        suffix = 2
        while email in emails:
            email = f"{ascii_slug(first)}.{ascii_slug(last)}{suffix}@{TEAM_DOMAIN}"
            suffix += 1
        emails.add(email)
        people.append((email, f"{first} {last}"))
    enterprise_csms = max(1, count // 5)
    csms = tuple(
        Member(
            email=email,
            name=name,
            role="csm",
            churn_factor=round(rng.uniform(0.7, 1.4), 3),
            enterprise=index < enterprise_csms,
        )
        for index, (email, name) in enumerate(people[2:])
    )
    return Team(
        admin=Member(email=people[0][0], name=people[0][1], role="admin"),
        vp=Member(email=people[1][0], name=people[1][1], role="vp"),
        csms=csms,
    )
