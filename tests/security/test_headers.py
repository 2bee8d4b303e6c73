"""Every response carries the security headers (config.security and Django's SecurityMiddleware): the CSP
allows scripts only from Keel's own files and no frame may embed Keel."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

from accounts.models import User

ROOT = Path(__file__).resolve().parents[2]
POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "style-src-attr": ["'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}


def policy(header: str) -> dict[str, list[str]]:
    directives = [part.split() for part in header.split(";")]
    return {name: sources for name, *sources in directives}


@pytest.mark.parametrize(
    "path",
    [
        "/login/",
        "/",
        "/dashboard/",
        "/accounts/",
        "/api/v1/accounts/",
        "/api/v1/docs/",
        "/admin/",
        "/nowhere/",
    ],
)
def test_every_response_carries_the_security_headers(client: Client, admin_user: User, path: str) -> None:
    client.force_login(admin_user)
    response = client.get(path)
    assert response.status_code in (200, 302, 404), path
    assert policy(response["Content-Security-Policy"]) == POLICY
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_no_page_of_keel_has_an_inline_script_or_style_element(client: Client, admin_user: User) -> None:
    """The API docs page (Swagger UI) loads its own script and styles from files like every page."""
    client.force_login(admin_user)
    html = client.get("/api/v1/docs/").content.decode()
    scripts = re.findall(r"<script[^>]*>", html)
    assert len(scripts) == 3
    assert all(" src=" in tag for tag in scripts)
    assert "<style" not in html


PAGES = [path for path in (ROOT / "templates").rglob("*.html") if "email" not in path.parts]


@pytest.mark.parametrize("path", PAGES, ids=[str(path.relative_to(ROOT)) for path in PAGES])
def test_templates_hold_no_inline_script_style_element_or_handler(path: Path) -> None:
    """Inline script would be refused by the CSP: every page script is a file (a json_script block is data)."""
    html = path.read_text(encoding="utf-8")
    assert not [tag for tag in re.findall(r"<script[^>]*>", html) if " src=" not in tag]
    assert "<style" not in html
    assert not re.search(r"\son[a-z]+=", html), "an inline event handler"
    assert "javascript:" not in html
