"""Whether Celery's broker answers, for callers that can record work as not queued rather than wait."""

from __future__ import annotations

from celery import current_app


def broker_available(*, timeout: int = 1) -> bool:
    """Whether the broker (Redis) answers now, within about `timeout` seconds; always true when tasks run
    eagerly (no REDIS_URL). Celery's own retries (the publish, the result store's subscription of a chain)
    wait some 20 s for a Redis that is down, holding up the request that queues."""
    if current_app.conf.task_always_eager:
        return True
    try:
        with current_app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=timeout)
    except Exception:  # kombu's OperationalError, or the socket's own
        return False
    return True
