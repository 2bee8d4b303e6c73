"""The API's schema, its docs page (Swagger UI from drf-spectacular-sidecar's local files, never a CDN), and
the JSON 404 of every unknown `/api/` path."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, JsonResponse
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView


def api_not_found(request: HttpRequest, path: str | None = None) -> JsonResponse:
    message = f"No API at {request.path}: see /api/v1/docs/."
    return JsonResponse({"errors": [{"field": None, "message": message}]}, status=404)


schema_view = SpectacularAPIView.as_view()
docs_view = login_required(SpectacularSwaggerView.as_view(url_name="api-schema"))
