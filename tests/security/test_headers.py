"""Every response carries the security headers (accounts.security and Django's SecurityMiddleware): the CSP
allows scripts and styles only from Keel's own files and no frame may embed Keel, except the survey preview's
frames of Keel's own pages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

from accounts.models import User
from surveys.models import Survey

ROOT = Path(__file__).resolve().parents[2]
POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
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


EMAILS = ("email", "digest")  # mail programs need inline styles; emails are not served as pages
PAGES = [path for path in (ROOT / "templates").rglob("*.html") if not set(EMAILS) & set(path.parts)]


@pytest.mark.parametrize("path", PAGES, ids=[str(path.relative_to(ROOT)) for path in PAGES])
def test_templates_hold_no_inline_script_style_element_or_handler(path: Path) -> None:
    """The CSP refuses inline script and styles: every page script is a file (a json_script block is data)."""
    html = path.read_text(encoding="utf-8")
    assert not [tag for tag in re.findall(r"<script[^>]*>", html) if " src=" not in tag]
    assert "<style" not in html
    assert " style=" not in html, "a style attribute: size bars with data-left/data-width (keel.js)"
    assert not re.search(r"\son[a-z]+=", html), "an inline event handler"
    assert "javascript:" not in html


def test_the_survey_previews_frames_may_be_embedded_by_keel_only(client: Client, admin_user: User) -> None:
    """Both headers say "same origin"; the email's frame allows its inline styles and no script."""
    survey = Survey.objects.create(name="NPS", kind="nps", question="How likely…?")
    client.force_login(admin_user)
    for name in ("email", "page"):
        response = client.get(f"/surveys/{survey.pk}/preview/{name}/")
        assert response.status_code == 200
        assert response["X-Frame-Options"] == "SAMEORIGIN"
        found = policy(response["Content-Security-Policy"])
        assert found["frame-ancestors"] == ["'self'"]
        assert found["style-src"] == (["'unsafe-inline'"] if name == "email" else ["'self'"])
        assert found["script-src"] == (["'none'"] if name == "email" else ["'self'"])
