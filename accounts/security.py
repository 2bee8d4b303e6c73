"""The Content-Security-Policy header of every response (Django 5.2 has no setting for it; the other security
headers come from Django's own settings: README "Decisions", "Security headers").

The policy is settings.KEEL_CONTENT_SECURITY_POLICY. A response Django lets frames of Keel's own pages embed
(`@xframe_options_sameorigin`) gets `frame-ancestors 'self'` instead of 'none', so the two headers say the same;
a view whose response needs more (an email's inline styles in the survey preview) names it with `csp_allow`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.conf import settings
from django.http import HttpRequest, HttpResponse

View = TypeVar("View", bound=Callable[..., HttpResponse])


def content_security_policy(directives: dict[str, str]) -> str:
    """The header's value: `name sources; …` in the order given."""
    return "; ".join(f"{name} {sources}" for name, sources in directives.items())


def csp_allow(directives: dict[str, str]) -> Callable[[View], View]:
    """The view's responses carry the policy with `directives` in place of its own."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            response = view(request, *args, **kwargs)
            response.csp_directives = directives  # type: ignore[attr-defined]
            return response

        return wrapped  # type: ignore[return-value]

    return decorator


class ContentSecurityPolicyMiddleware:
    """Adds the Content-Security-Policy to every response that does not set its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = content_security_policy(settings.KEEL_CONTENT_SECURITY_POLICY)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        changes = dict(getattr(response, "csp_directives", {}))
        if response.get("X-Frame-Options", "").upper() == "SAMEORIGIN":
            changes.setdefault("frame-ancestors", "'self'")
        policy = (
            content_security_policy({**settings.KEEL_CONTENT_SECURITY_POLICY, **changes})
            if changes
            else self.policy
        )
        response.headers.setdefault("Content-Security-Policy", policy)
        return response
