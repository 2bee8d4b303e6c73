"""Real servers for the bench, each on a free loopback port in its own process: Keel under gunicorn (on the bench
database in use), an SMTP sink. `with gunicorn(...) as port:` waits until the server answers and stops it after."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def serving(command: list[str], *, port: int, name: str, env: dict[str, str] | None = None) -> Iterator[int]:
    """Run `command` (listening on `port`) until the block ends; `name` says which did not start."""
    process = subprocess.Popen(command, env=env)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError(f"{name} did not start") from None
                time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=20)


@contextmanager
def gunicorn(*, workers: int = 2, threads: int = 1) -> Iterator[int]:
    """Keel as docker compose serves it (gunicorn, DEBUG off), on the database this process uses."""
    db = settings.DATABASES["default"]
    host, port_db = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}:{db.get('PASSWORD') or ''}@{host}:{port_db}/{db['NAME']}",
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DJANGO_DEBUG": "false",
        "KEEL_LOG_LEVEL": "WARNING",
    }
    if settings.REDIS_URL:
        env["REDIS_URL"] = settings.REDIS_URL
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "config.wsgi", f"--bind=127.0.0.1:{port}"]
    command += [f"--workers={workers}", f"--threads={threads}", "--timeout=120", "--log-level=warning"]
    with serving(command, port=port, name="gunicorn", env=env):
        yield port


@contextmanager
def smtp_sink() -> Iterator[int]:
    """aiosmtpd's Sink: accepts every message, keeps none."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "aiosmtpd",
        "-n",
        "-l",
        f"127.0.0.1:{port}",
        "-c",
        "aiosmtpd.handlers.Sink",
    ]
    with serving(command, port=port, name="the aiosmtpd sink"):
        yield port
