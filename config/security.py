"""The Content-Security-Policy header of every response (Django 5.2 has no setting for it; the other security
headers come from Django's own settings: README "Decisions", "Security headers")."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


def content_security_policy(directives: dict[str, str]) -> str:
    """The header's value: `name sources; …` in the order given."""
    return "; ".join(f"{name} {sources}" for name, sources in directives.items())


class ContentSecurityPolicyMiddleware:
    """Adds settings.KEEL_CONTENT_SECURITY_POLICY to every response that does not set its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = content_security_policy(settings.KEEL_CONTENT_SECURITY_POLICY)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        return response
