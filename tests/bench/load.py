"""A bounded load test (issue 16): 20 people at once for 60 s against Keel under gunicorn on the pages' bench
database (`--full`: 100,000 accounts), over loopback. Each person is a logged-in browser session (a VP or a CSM)
or an API client, and does what they would: the VP opens the company dashboard, the account list and a 360; a CSM
their own dashboard, their book and one of their accounts; the API client reads accounts and health scores.

The API client reads as a client syncing a list does: it opens a page by number (a random one, where an earlier
sync left off) and follows the `next` links from there, WALK_PAGES pages in all, then starts again.

Like a person (and like locust's `between(1, 2)`), each waits 1–2 s between requests: 20 clients that never wait
would measure a queue, not the pages, on a 2-core machine. Reported per request kind: requests, p50, p95 and
errors (any status but 200, or no answer within 30 s); and for all of them, requests per second.
"""

from __future__ import annotations

import http.client
import json
import random
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db.models import Count, Max
from django.urls import reverse

from accounts.models import Account, Role, User
from accounts.services import api_token_create
from metrics.models import AccountDay, ComputedDay
from tests.bench.pages import _p95
from tests.bench.pipeline import Row, seeded
from tests.bench.servers import gunicorn

USERS = 20
SECONDS = 60
WAIT = (1.0, 2.0)  # seconds between one person's requests
BARS = {"dashboard": 50.0, "360": 50.0, "list": 100.0, "api": 100.0}  # ms p95, DESIGN.md's page bars


@dataclass
class Tally:
    times: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, ms: float, ok: bool) -> None:
        with self.lock:
            self.times.setdefault(kind, []).append(ms)
            if not ok:
                self.errors[kind] = self.errors.get(kind, 0) + 1


def _session(user: User) -> str:
    """A logged-in session of `user`, as the login form leaves it."""
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    assert store.session_key is not None
    return store.session_key


Visit = tuple[str, str]  # (kind, path)
WALK_PAGES = 10  # pages an API client reads by `next` from the page it opened by number


class ApiWalk:
    """An API client's visits: a page by number from one of `lists`, then its `next` links (`seen` gives it
    each answer)."""

    def __init__(self, lists: list[Callable[[random.Random], str]]) -> None:
        self.lists = lists
        self.next: str | None = None
        self.left = 0

    def __call__(self, rng: random.Random) -> Visit:
        if self.next is not None and self.left > 0:
            self.left -= 1
            return ("api", self.next)
        self.left = WALK_PAGES - 1
        return ("api", rng.choice(self.lists)(rng))

    def seen(self, body: bytes) -> None:
        try:
            link = json.loads(body).get("next") if body else None
        except ValueError:
            link = None
        self.next = None if not link else urlunsplit(("", "", *urlsplit(link)[2:4], ""))


def _person(
    port: int,
    headers: dict[str, str],
    visits: Callable[[random.Random], Visit],
    seed: int,
    until: float,
    tally: Tally,
) -> None:
    rng = random.Random(seed)
    client = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    time.sleep(rng.uniform(0, WAIT[1]))  # people do not all arrive on the same millisecond
    while time.monotonic() < until:
        kind, path = visits(rng)
        began = time.perf_counter()
        try:
            client.request("GET", path, headers=headers)
            response = client.getresponse()
            body = response.read()
            ok = response.status == 200
        except (OSError, http.client.HTTPException):
            ok, body = False, b""
            client.close()
            client = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        tally.add(kind, (time.perf_counter() - began) * 1000, ok)
        if isinstance(visits, ApiWalk):
            visits.seen(body if ok else b"")
        time.sleep(rng.uniform(*WAIT))
    client.close()


def bench_load(
    *,
    end: date,
    full: bool,
    users: int = USERS,
    seconds: int = SECONDS,
    dense: Callable[[], int] | None = None,
) -> list[Row]:
    """The load test on the pages' bench database, or on the event-dense one that `dense` opens (it returns the
    accounts it holds: `--load-on-dense`)."""
    if dense is not None:
        accounts, dense_label = dense(), "event-dense "
    else:
        accounts, usage_days = (100_000, 120) if full else (10_000, None)
        seeded(accounts=accounts, usage_days=usage_days, end=end, fresh=False)
        dense_label = ""
    vp = User.objects.filter(role=Role.VP, is_active=True).first()
    admin = User.objects.filter(role=Role.ADMIN, is_active=True).first()
    assert vp is not None and admin is not None
    csms = list(
        User.objects.filter(role=Role.CSM, is_active=True)
        .annotate(book=Count("accounts"))
        .filter(book__gt=0)
        .order_by("-book", "pk")[:users]
    )
    books = {csm.pk: list(Account.objects.filter(csm=csm).values_list("pk", flat=True)[:200]) for csm in csms}
    every = list(Account.objects.order_by("?").values_list("pk", flat=True)[:2000])
    token, key = api_token_create(name="load bench", user=admin, created_by=admin)
    detail = reverse("account_detail", args=[0]).rpartition("0")
    accounts_url, company, mine = (
        reverse("account_list"),
        reverse("company_dashboard"),
        reverse("my_dashboard"),
    )
    api_accounts, api_health = reverse("api-accounts-list"), reverse("api-health")
    scored_on = ComputedDay.objects.aggregate(last=Max("day"))["last"]
    # pages of 100 that exist in both lists: every account, and the accounts scored on the latest day
    pages = max(1, AccountDay.objects.filter(day=scored_on, score__isnull=False).count() // 100)

    def vp_visits(rng: random.Random) -> Visit:
        return rng.choice(
            [
                ("dashboard", company),
                ("list", f"{accounts_url}?sort=-mrr&page={rng.randint(1, 50)}"),
                ("360", f"{detail[0]}{rng.choice(every)}{detail[2]}"),
            ]
        )

    def csm_visits(book: list[int]) -> Callable[[random.Random], Visit]:
        def visits(rng: random.Random) -> Visit:
            return rng.choice(
                [
                    ("dashboard", mine),
                    ("list", f"{accounts_url}?sort=health"),
                    ("360", f"{detail[0]}{rng.choice(book)}{detail[2]}"),
                ]
            )

        return visits

    def api_lists() -> ApiWalk:
        return ApiWalk(
            [
                lambda rng: f"{api_accounts}?page={rng.randint(1, pages)}",
                lambda rng: f"{api_health}?on={scored_on}&page={rng.randint(1, pages)}",
            ]
        )

    # One in four is a VP, one in five an API client, the rest CSMs: a CS team's day.
    people: list[tuple[dict[str, str], Callable[[random.Random], Visit]]] = []
    for n in range(users):
        if n % 5 == 4:
            people.append(({"Authorization": f"Token {key}"}, api_lists()))
        elif n % 4 == 0:
            people.append(({"Cookie": f"{settings.SESSION_COOKIE_NAME}={_session(vp)}"}, vp_visits))
        else:
            csm = csms[n % len(csms)]
            session = _session(csm)
            people.append(
                ({"Cookie": f"{settings.SESSION_COOKIE_NAME}={session}"}, csm_visits(books[csm.pk]))
            )
    tally = Tally()
    workers = 3
    try:
        vp_headers = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={_session(vp)}"}
        elapsed, paused = _run(people, tally, workers=workers, seconds=seconds, probe=(vp_headers, company))
    finally:
        token.delete()  # the bench database keeps no token of its runs (their audit entries stay, as audit does)
    label = f"{accounts:,} {dense_label}accounts"
    rows: list[Row] = []
    total = sum(len(times) for times in tally.times.values())
    errors = sum(tally.errors.values())
    for kind in ("dashboard", "list", "360", "api"):
        times = tally.times.get(kind, [])
        if len(times) < 2:
            continue
        p50, p95 = statistics.median(times), _p95(times)
        verdict = "ok" if p95 <= BARS[kind] and not tally.errors.get(kind) else "OVER"
        rows.append(
            (
                f"load: {kind} ({users} people at once, {label})",
                f"p50 {p50:.0f} ms · p95 {p95:.0f} ms",
                f"{verdict}: ≤ {BARS[kind]:.0f} ms p95 · {len(times)} requests · {tally.errors.get(kind, 0)} errors",
            )
        )
    rows.append(
        (
            f"load: all requests ({users} people, {seconds} s, {label})",
            f"{total / elapsed:.1f} req/s",
            f"{total} requests · {errors} errors · each person waits {WAIT[0]:.0f}–{WAIT[1]:.0f} s between "
            f"requests · gunicorn -w {workers}, loopback, the client on the same 2 cores",
        )
    )
    loop = _idle_effect(lambda: sum(range(300_000)))
    rows.append(
        (
            f"after {PAUSE:.1f} s idle: the company dashboard, one client ({label})",
            f"{paused[1] / paused[0]:.1f}× slower",
            f"p50 {paused[0]:.0f} ms back to back, {paused[1]:.0f} ms each after {PAUSE:.1f} s asleep; a bare "
            f"Python loop {loop[0]:.1f} and {loop[1]:.1f} ms: this machine's cores run slower after idling",
        )
    )
    return rows


PAUSE = sum(WAIT) / 2  # seconds: a person's mean wait between requests


def _idle_effect(work: Callable[[], object], *, times: int = 8) -> tuple[float, float]:
    """Median ms of `work` back to back, and each after PAUSE s asleep (as each person's requests come): on a
    virtual machine whose idle cores are given to others, the second is slower whatever the code does."""

    def timed(pause: float) -> float:
        runs = []
        for _ in range(times):
            time.sleep(pause)
            began = time.perf_counter()
            work()
            runs.append((time.perf_counter() - began) * 1000)
        return statistics.median(runs)

    timed(0)  # warm
    return timed(0), timed(PAUSE)


def _run(
    people: list[tuple[dict[str, str], Callable[[random.Random], Visit]]],
    tally: Tally,
    *,
    workers: int,
    seconds: int,
    probe: tuple[dict[str, str], str],
) -> tuple[float, tuple[float, float]]:
    """Every person's visits against gunicorn for `seconds`, after warming each worker; the seconds it took, and
    the ms of `probe` (headers, path) back to back and after pauses (`_idle_effect`)."""
    with gunicorn(workers=workers) as port:
        for headers, visits in people:  # warm each worker's imports, templates and connections
            for _ in range(workers):
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                conn.request("GET", visits(random.Random(0))[1], headers=headers)
                conn.getresponse().read()
                conn.close()
        until = time.monotonic() + seconds
        threads = [
            threading.Thread(target=_person, args=(port, headers, visits, n, until, tally))
            for n, (headers, visits) in enumerate(people)
        ]
        began = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - began
        headers, path = probe

        def dashboard() -> None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            conn.request("GET", path, headers=headers)
            conn.getresponse().read()
            conn.close()

        paused = _idle_effect(dashboard)
    return elapsed, paused
