"""`manage.py check --deploy` is clean under the production settings with a realistic environment, and each
HTTPS setting follows its variable (README "Configuration")."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def production(*arguments: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "keel.example.com",
        "DJANGO_CSRF_TRUSTED_ORIGINS": "https://keel.example.com",
        "DATABASE_URL": os.environ.get("DATABASE_URL", "postgres://keel@127.0.0.1:5432/keel"),
        **env,
    }
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_in_production() -> None:
    result = production("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNINGS" not in result.stderr + result.stdout


def test_check_deploy_warns_when_https_is_turned_off() -> None:
    """The check still sees what the variables turn off: the test above is clean because of the settings."""
    result = production(
        "check", "--deploy", DJANGO_SSL_REDIRECT="false", DJANGO_HSTS_SECONDS="0", DJANGO_SECURE_COOKIES="no"
    )
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stderr, warning


SHOW = (
    "from django.conf import settings as s; print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, "
    "s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
    "s.SECURE_PROXY_SSL_HEADER)"
)


@pytest.mark.parametrize(
    ("env", "shown"),
    [
        ({}, "True 31536000 True False True True ('HTTP_X_FORWARDED_PROTO', 'https')"),
        (
            {
                "DJANGO_SSL_REDIRECT": "false",
                "DJANGO_HSTS_SECONDS": "3600",
                "DJANGO_HSTS_INCLUDE_SUBDOMAINS": "false",
                "DJANGO_HSTS_PRELOAD": "true",
                "DJANGO_SECURE_COOKIES": "false",
                "DJANGO_PROXY_SSL_HEADER": "X-Forwarded-Scheme: https",
            },
            "False 3600 False True False False ('HTTP_X_FORWARDED_SCHEME', 'https')",
        ),
        ({"DJANGO_PROXY_SSL_HEADER": "none"}, "True 31536000 True False True True None"),
    ],
)
def test_each_https_setting_comes_from_its_variable(env: dict[str, str], shown: str) -> None:
    result = production("shell", "--no-imports", "-c", SHOW, **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == shown


@pytest.mark.parametrize("value", ["X-Forwarded-Proto", "X Forwarded: https", "X-Forwarded-Proto:"])
def test_a_bad_proxy_header_stops_start_up(value: str) -> None:
    result = production("check", DJANGO_PROXY_SSL_HEADER=value)
    assert result.returncode != 0
    assert "DJANGO_PROXY_SSL_HEADER" in result.stderr
    assert "Header-Name: value" in result.stderr


HEADERS = """
import json
from django.test import Client
client = Client()
plain = client.get("/api/nothing")
proxied = client.get("/api/nothing", headers={"X-Forwarded-Proto": "https"})
print(json.dumps({"plain": [plain.status_code, plain.get("Location")], "proxied": dict(proxied.headers)}))
"""


def test_production_redirects_to_https_and_sends_hsts_behind_its_proxy() -> None:
    """Plain http is redirected; a request the proxy marks as https gets HSTS and the other headers."""
    result = production("shell", "--no-imports", "-c", HEADERS, DJANGO_ALLOWED_HOSTS="testserver")
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout.strip().splitlines()[-1])
    assert shown["plain"] == [301, "https://testserver/api/nothing"]
    headers = shown["proxied"]
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "script-src 'self';" in headers["Content-Security-Policy"]
