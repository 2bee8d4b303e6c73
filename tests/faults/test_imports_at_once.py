"""Two imports of the same bundle at once, in two processes: the second waits for the first (an advisory lock
around the whole import, accounts.importers.lock), and the data ends as after one import: the golden bundle's
rows once each, and the golden KPIs."""

from __future__ import annotations

import json
import subprocess
import sys
from io import StringIO
from typing import Any

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

from accounts.importers.lock import IMPORT_LOCK_KEY
from accounts.models import Account, Contact, ImportRun, SubscriptionSpan, Ticket, UsageEvent
from tests.conftest import database_url
from tests.faults.conftest import ROOT, keel_env, wait_until
from tests.metrics.test_golden import GOLDEN, assert_same, run

pytestmark = pytest.mark.faults

WAITING = """
    SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
    WHERE l.locktype = 'advisory' AND NOT l.granted AND a.datname = current_database()
"""


def _waiting() -> int:
    with connection.cursor() as cursor:
        cursor.execute(WAITING)
        (count,) = cursor.fetchone()
        return int(count)


@pytest.mark.django_db(transaction=True)
def test_two_imports_at_once_end_as_one(other_sessions_ended: None) -> None:
    """The test takes the import lock first, so both `import_bundle` processes are surely running at once:
    both are seen waiting for it, and say so. Once it goes, one imports and then the other, which finds every
    row as sent (nothing created, nothing updated). Then the tables hold what one import created, and the
    snapshots give the golden KPIs (tests/fixtures/golden)."""
    env = keel_env(database_url=database_url(connection.settings_dict), redis_url=None, KEEL_LOG_LEVEL="INFO")
    command = [sys.executable, "manage.py", "import_bundle", str(GOLDEN / "bundle")]
    holder = psycopg.connect(database_url(connection.settings_dict), autocommit=True)
    try:
        holder.execute("SELECT pg_advisory_lock(%s)", [IMPORT_LOCK_KEY])
        imports = [
            subprocess.Popen(
                command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )
            for _ in range(2)
        ]
        wait_until(lambda: _waiting() == 2, timeout=120, what="both imports waiting for the import lock")
        holder.execute("SELECT pg_advisory_unlock(%s)", [IMPORT_LOCK_KEY])
        outputs = [process.communicate(timeout=300) for process in imports]
    finally:
        holder.close()
    for process, (_out, err) in zip(imports, outputs, strict=True):
        assert process.returncode == 0, err
        assert "Another import is running" in err and "waits for it to finish" in err

    first, second = ImportRun.objects.order_by("finished_at")
    assert first.outcome == second.outcome == ImportRun.Outcome.IMPORTED
    assert first.finished_at is not None and first.finished_at <= second.started_at  # one after the other
    created = {name: counts["created"] for name, counts in first.summary.items()}
    assert all(counts["created"] == counts["updated"] == 0 for counts in second.summary.values()), (
        second.summary
    )
    tables: dict[str, Any] = {
        "accounts": Account,
        "contacts": Contact,
        "subscriptions": SubscriptionSpan,
        "tickets": Ticket,
        "usage": UsageEvent,
    }
    for name, model in tables.items():
        assert model.objects.count() == created[name] > 0, name

    call_command("snapshot", "--from", "2023-07-01", "--to", "2025-06-30", stdout=StringIO())
    expected = json.loads((GOLDEN / "kpis.json").read_text())
    got = {row["month"]: row for row in run("kpis", "--from", "2024-08", "--to", "2025-06")}
    assert len(got) == len(expected)
    for row in expected:
        assert_same(row, got[row["month"]], f"kpis.json[{row['month']}]")
