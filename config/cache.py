"""Django's Redis cache, forgiving Redis being away (README "Decisions": Redis down).

Keel's cache holds only what can be lost: an import's progress, the flag that a Segment fold is queued, the
answer page's request counts, the Health page's backtest. So while Redis is down a read is a miss, a write is
dropped and a count starts again (the answer page's limit is not enforced meanwhile), each logged, and the pages
and the ingestion paths keep working; short socket timeouts keep a Redis that does not answer from holding up a
request for long (OPTIONS in config/settings/base.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

T = TypeVar("T")
REDIS_ERRORS = (RedisConnectionError, RedisTimeoutError)


class ForgivingRedisCache(RedisCache):
    def _or(self, fallback: T, operation: Callable[[], T], name: str) -> T:
        try:
            return operation()
        except REDIS_ERRORS as error:
            logger.warning("The cache (Redis) is unavailable, %s skipped: %s", name, error)
            return fallback

    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        return self._or(default, lambda: super(ForgivingRedisCache, self).get(key, default, version), "get")

    def get_many(self, keys: Any, version: Any = None) -> Any:
        return self._or({}, lambda: super(ForgivingRedisCache, self).get_many(keys, version), "get_many")

    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> None:
        self._or(None, lambda: super(ForgivingRedisCache, self).set(key, value, timeout, version), "set")

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> bool:
        # False, as if the key were there: a caller that queues work once per flag (the Segment fold) leaves it
        # to beat's sweep, which it would fail to queue anyway.
        return self._or(
            False, lambda: super(ForgivingRedisCache, self).add(key, value, timeout, version), "add"
        )

    def delete(self, key: Any, version: Any = None) -> bool:
        return self._or(False, lambda: super(ForgivingRedisCache, self).delete(key, version), "delete")

    def incr(self, key: Any, delta: int = 1, version: Any = None) -> int:
        # As if the count started now: a rate limit lets the request through while Redis is away.
        return self._or(delta, lambda: super(ForgivingRedisCache, self).incr(key, delta, version), "incr")
