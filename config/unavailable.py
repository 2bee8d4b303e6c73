"""503 with Retry-After when PostgreSQL does not answer (README "Decisions": a database restart).

While the database restarts (or fails over), a query raises psycopg's OperationalError or InterfaceError, which
Django passes on as its own. Nothing was accepted then: the request's transaction did not commit, or committed
whole (a retry is then a duplicate, which every write path dedupes: Segment's messageId, the importer's keys).
So the client is told to send it again, as a 503 with Retry-After, in the shape its endpoint answers errors:
Segment's libraries and Stripe retry a 5xx, and a 500 would say "a bug" where there is none. The middleware
answers for errors raised in a view (DRF's too: it passes on what it does not handle); `server_error`, Keel's
handler500, for those raised in a middleware.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.views.defaults import server_error as django_server_error

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 2
MESSAGE = "The database is not answering (it may be restarting): nothing was saved; send this again."
DATABASE_ERRORS = (OperationalError, InterfaceError)


def database_unavailable(request: HttpRequest) -> HttpResponse:
    """The 503 of `request`'s kind: Segment's error object on /v1/, the API's on /api/ and webhooks, else a
    page."""
    path = request.path
    response: HttpResponse
    if path.startswith("/v1/"):
        response = JsonResponse({"success": False, "code": "unavailable", "message": MESSAGE}, status=503)
    elif path.startswith(("/api/", "/webhooks/")):
        response = JsonResponse({"errors": [{"field": None, "message": MESSAGE}]}, status=503)
    else:
        response = HttpResponse(loader.render_to_string("503.html", request=None), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DATABASE_ERRORS):
            return None
        logger.warning("%s %s: the database is unavailable: %s", request.method, request.path, exception)
        return database_unavailable(request)


def server_error(request: HttpRequest, template_name: str = "500.html") -> HttpResponse:
    """handler500: a 503 when the error being handled is the database's being away, else Django's 500."""
    if isinstance(sys.exc_info()[1], DATABASE_ERRORS):
        return database_unavailable(request)
    return django_server_error(request, template_name)
