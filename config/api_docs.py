"""The API's schema, its docs page (Swagger UI from drf-spectacular-sidecar's local files, never a CDN), and
the JSON 404 of every unknown `/api/` path. The docs page's own script is served apart (the split view) and
its few styles come from static/css/api_docs.css (templates/drf_spectacular/swagger_ui.html), so the page
keeps to the Content-Security-Policy like every other."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, JsonResponse
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView


def api_not_found(request: HttpRequest, path: str | None = None) -> JsonResponse:
    message = f"No API at {request.path}: see /api/v1/docs/."
    return JsonResponse({"errors": [{"field": None, "message": message}]}, status=404)


schema_view = SpectacularAPIView.as_view()
docs_view = login_required(SpectacularSwaggerSplitView.as_view(url_name="api-schema"))
