"""Counting requests against a limit per time window, in Django's cache (Redis with REDIS_URL, so every web
process shares the counts): the public survey pages per token and per address, and any page a later issue
throttles (logins).

A fixed window: the count of a key lives in the cache until its window ends, then starts again from 0. A burst
across a window's boundary may reach twice the limit, which is enough to keep a guesser or a script to a trickle.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


@dataclass(frozen=True)
class RateLimit:
    """At most `limit` requests per `window` seconds for one key of `name`."""

    name: str
    limit: int
    window: int


def rate_limit_hit(limit: RateLimit, key: str, *, now: float | None = None) -> int | None:
    """Count one request of `key` against `limit`: None while it is within the limit, else the seconds until its
    window ends (for Retry-After, at least 1). The key is hashed: a token or an address is not kept in the
    cache as such."""
    now = time.time() if now is None else now
    window_index = int(now // limit.window)
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    cache_key = f"rate:{limit.name}:{window_index}:{digest}"
    # add() starts the window's count (and its expiry) once; incr() is atomic in Redis and in local memory.
    cache.add(cache_key, 0, timeout=limit.window + 1)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # the key expired between add() and incr()
        cache.set(cache_key, 1, timeout=limit.window + 1)
        count = 1
    if count <= limit.limit:
        return None
    return max(1, math.ceil((window_index + 1) * limit.window - now))


def client_address(request: HttpRequest) -> str:
    """The address the request came from as the web server saw it (REMOTE_ADDR). Behind a proxy that is the
    proxy's address for everyone, unless the proxy hands the client's address on as REMOTE_ADDR (gunicorn's
    --proxy-protocol); X-Forwarded-For is not read, since anyone can write it."""
    return str(request.META.get("REMOTE_ADDR") or "unknown")


@dataclass(frozen=True)
class Lockout:
    """After `failures` failed attempts of one key of `name` within `window` seconds (counted from the first),
    every attempt of that key is refused for `lockout` seconds. `failures` 0: never locked."""

    name: str
    failures: int
    window: int
    lockout: int


def key_lockout() -> Lockout:
    """Unknown or revoked API tokens and Segment write keys, counted per address (README "Configuration")."""
    return Lockout(
        "key-address",
        settings.KEEL_KEY_FAILURES_PER_ADDRESS,
        settings.KEEL_LOCKOUT_WINDOW_SECONDS,
        settings.KEEL_LOCKOUT_SECONDS,
    )


def _keys(lockout: Lockout, key: str) -> tuple[str, str]:
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return f"lockout:{lockout.name}:failures:{digest}", f"lockout:{lockout.name}:until:{digest}"


def lockout_wait(lockout: Lockout, key: str, *, now: float | None = None) -> int | None:
    """The seconds `key` is still locked out for (at least 1), or None when it may try."""
    now = time.time() if now is None else now
    until = cache.get(_keys(lockout, key)[1])
    if until is None or until <= now:
        return None
    return max(1, math.ceil(until - now))


def lockout_failure(lockout: Lockout, key: str, *, now: float | None = None) -> int | None:
    """Count one failed attempt of `key`: None while it stays under the limit, else the seconds of the lockout
    it has just started."""
    if lockout.failures <= 0:
        return None
    now = time.time() if now is None else now
    failures_key, until_key = _keys(lockout, key)
    cache.add(failures_key, 0, timeout=lockout.window)
    try:
        count = cache.incr(failures_key)
    except ValueError:  # the window ended between add() and incr()
        cache.set(failures_key, 1, timeout=lockout.window)
        count = 1
    if count < lockout.failures:
        return None
    cache.set(until_key, now + lockout.lockout, timeout=lockout.lockout + 1)
    cache.delete(failures_key)
    return lockout.lockout


def lockout_clear(lockout: Lockout, key: str) -> None:
    """Forget the failures of `key` (a successful login): its count starts again from 0."""
    cache.delete(_keys(lockout, key)[0])
