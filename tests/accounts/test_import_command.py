"""`python manage.py import_bundle PATH [--dry-run]`: prints the report and a summary; exit status 0 on
success, 1 on rejected input (DESIGN.md "Command line")."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from accounts.models import Account, ImportRun
from tests.accounts.test_import_helpers import FULL, write_bundle
from tests.conftest import database_url

MANAGE = Path(settings.BASE_DIR) / "manage.py"


def test_prints_a_summary_line_per_file(tmp_path: Path, db: None) -> None:
    out = StringIO()
    call_command("import_bundle", str(write_bundle(tmp_path, FULL)), stdout=out)
    assert out.getvalue().splitlines() == [
        "team: 2 created, 0 updated, 0 unchanged",
        "accounts: 2 created, 0 updated, 0 unchanged",
        "contacts: 2 created, 0 updated, 0 unchanged",
        "subscriptions: 3 created, 0 updated, 0 unchanged",
        "tickets: 2 created, 0 updated, 0 unchanged",
        "usage: 3 created, 0 updated, 0 unchanged",
        "spend: 2 created, 0 updated, 0 unchanged",
        "responses: 3 created, 0 updated, 0 unchanged",
    ]
    assert ImportRun.objects.get().source == ImportRun.Source.COMMAND


def test_dry_run(tmp_path: Path, db: None) -> None:
    out = StringIO()
    call_command("import_bundle", str(write_bundle(tmp_path, FULL)), "--dry-run", stdout=out)
    assert out.getvalue().splitlines()[-1] == "Dry run: the bundle is valid; nothing was saved."
    assert not Account.objects.exists()


def test_a_rejected_bundle_prints_every_problem_and_fails(tmp_path: Path, db: None) -> None:
    out = StringIO()
    bundle = write_bundle(tmp_path, {"accounts.csv": "id,name,seats\nACC-1,,x\n"})
    with pytest.raises(CommandError, match="the bundle was rejected"):
        call_command("import_bundle", str(bundle), stdout=out)
    assert out.getvalue().splitlines() == [
        "accounts.csv:2: name: a value is required",
        "accounts.csv:2: seats: 'x' is not a whole number ≥ 0",
        "Rejected: nothing was imported.",
    ]
    assert not Account.objects.exists()


def _manage(*args: str) -> subprocess.CompletedProcess[str]:
    """manage.py in a child process, on the test database."""
    url = database_url(connection.settings_dict)
    env = os.environ | {"DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    return subprocess.run(
        [sys.executable, str(MANAGE), "import_bundle", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.django_db(transaction=True)
def test_exit_status(tmp_path: Path) -> None:
    good = _manage(str(write_bundle(tmp_path / "good", {"team.csv": FULL["team.csv"]})))
    assert good.returncode == 0, good.stderr
    assert good.stdout.splitlines() == ["team: 2 created, 0 updated, 0 unchanged"]

    bad = _manage(str(write_bundle(tmp_path / "bad", {"spend.csv": "month,amount\n2024-1,10\n"})))
    assert bad.returncode == 1
    assert bad.stdout.splitlines() == [
        "spend.csv:2: month: '2024-1' is not a month (YYYY-MM)",
        "Rejected: nothing was imported.",
    ]
    assert "CommandError:" in bad.stderr
    assert "the bundle was rejected" in bad.stderr
