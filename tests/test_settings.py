"""Start-up fails on a bad environment value, naming the variable (STYLE.md "Settings fail loudly")."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_check(**env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.local", **env}
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("KEEL_TIMEZONE", "Mars/Olympus", "not an IANA time zone"),
        ("KEEL_GROSS_MARGIN", "eighty", "not a decimal number"),
        ("KEEL_GROSS_MARGIN", "1.5", "must be between"),
        ("KEEL_DAILY_RETENTION_DAYS", "ten", "not a whole number"),
        ("KEEL_CURRENCY", "dollars", "three-letter"),
        ("KEEL_NIGHTLY_AT", "25:99", "not a time of day"),
        ("KEEL_DIGEST_HOUR", "24", "above the maximum"),
        ("KEEL_DIGEST_HOUR", "seven", "not a whole number"),
        ("DJANGO_DEBUG", "maybe", "not a boolean"),
        ("DATABASE_URL", "mysql://localhost/keel", "must start with one of"),
        ("REDIS_URL", "localhost:6379", "must start with one of"),
        ("KEEL_LOG_LEVEL", "LOUD", "must be one of"),
        ("KEEL_LOGIN_FAILURES", "0", "below the minimum"),
        ("KEEL_LOCKOUT_SECONDS", "soon", "not a whole number"),
        ("KEEL_KEY_FAILURES_PER_ADDRESS", "-1", "below the minimum"),
    ],
)
def test_bad_setting_stops_start_up_naming_the_variable(variable: str, value: str, message: str) -> None:
    result = run_check(**{variable: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert variable in result.stderr
    assert message in result.stderr


def test_production_requires_a_secret_key() -> None:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SECRET_KEY"}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.production"
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_good_settings_start() -> None:
    result = run_check(KEEL_TIMEZONE="Europe/Berlin", KEEL_GROSS_MARGIN="0.8")
    assert result.returncode == 0, result.stderr
