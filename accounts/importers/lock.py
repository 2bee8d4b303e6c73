"""One import at a time: a PostgreSQL advisory lock around a whole import (README "Decisions").

Two imports at once (two `import_bundle` commands, a command and an upload, two workers) would upsert the same
rows from two transactions: they could deadlock, or the second could read Keel's data before the first commits
and refuse or count rows wrongly. So `bundle_import` holds this lock from start to end, and a second import
waits for the first to finish, saying so in the log, then runs as it would after it (the same bundle again
changes nothing). The lock is PostgreSQL's, so it spans processes and machines, and goes with the session when a
process dies.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DatabaseError, connection

logger = logging.getLogger(__name__)

# pg_advisory_lock's key: any constant no other part of Keel uses ("keel" + "import" in ASCII, as an int).
IMPORT_LOCK_KEY = 0x6B65656C696D70


@contextmanager
def import_lock(*, name: str) -> Iterator[None]:
    """Hold the import lock (session level, on this process's connection) while the block runs; wait for it,
    with a log line, when another import holds it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [IMPORT_LOCK_KEY])
        (locked,) = cursor.fetchone()
        if not locked:
            logger.warning("Another import is running: %s waits for it to finish.", name)
            cursor.execute("SELECT pg_advisory_lock(%s)", [IMPORT_LOCK_KEY])
            logger.warning("The other import finished: %s starts.", name)
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [IMPORT_LOCK_KEY])
        except DatabaseError:  # the session is gone, and its lock with it
            logger.exception("The import lock could not be released: its session is gone.")
