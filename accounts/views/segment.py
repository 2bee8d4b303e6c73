"""The Segment-compatible tracking endpoint (`/v1/batch`, `/v1/track`, `/v1/identify`, `/v1/group`) and the
page where admins create and revoke its write keys (`/settings/segment/`).

The endpoint authenticates with its own write keys (HTTP basic auth, the key as user name, or the body's
`writeKey`), is exempt from CSRF (no cookie is involved) and answers as Segment does: `{"success": true}`, or
a 400/401 with `code` and `message`. It stores the messages and returns; their folding into usage runs later.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from accounts import selectors
from accounts.access import AuthenticatedRequest, admin_required
from accounts.forms import WriteKeyForm
from accounts.models import SegmentWriteKey
from accounts.rate_limits import client_address, key_lockout, lockout_failure, lockout_wait
from accounts.segment import ingest
from accounts.segment.keys import write_key_authenticate, write_key_create, write_key_revoke

_SUCCESS = b'{"success":true}'


def _refused(error: ingest.SegmentRequestError, *, path: str, key_id: int | None) -> JsonResponse:
    ingest.request_refused(error, path=path, key_id=key_id)
    response = JsonResponse(
        {"success": False, "code": error.code, "message": error.message}, status=error.status
    )
    if error.status == 401:
        response["WWW-Authenticate"] = 'Basic realm="Keel Segment endpoint"'
    return response


def _track_endpoint(kind: str | None) -> Callable[[HttpRequest], HttpResponse]:
    @csrf_exempt
    def endpoint(request: HttpRequest) -> HttpResponse:
        path = request.path
        if request.method != "POST":
            return JsonResponse({"success": False, "code": "method", "message": "POST only"}, status=405)
        authorization = request.META.get("HTTP_AUTHORIZATION", "")
        key_id = None
        lockout, address = key_lockout(), client_address(request)
        wait = lockout_wait(lockout, address)
        if wait is not None:  # too many unknown keys from here (README "Configuration"); clients retry a 429
            response = JsonResponse(
                {"success": False, "code": "rate_limited", "message": "too many invalid write keys"},
                status=429,
            )
            response["Retry-After"] = str(wait)
            return response
        try:
            body = ingest.body_read(
                request.read,
                content_length=request.META.get("CONTENT_LENGTH"),
                encoding=request.META.get("HTTP_CONTENT_ENCODING", ""),
            )
            data = None if authorization else ingest.body_parse_quietly(body)
            secret = ingest.write_key_of(authorization, data)
            key_id = write_key_authenticate(secret) if secret else None
            if key_id is None:
                if secret:  # a key was tried: a guess, or a revoked key
                    lockout_failure(lockout, address)
                raise ingest.SegmentRequestError(401, "unauthorized", "no valid write key")
            batch, fields = ingest.messages_of(data or ingest.body_parse(body), kind)
            result = ingest.intake(batch, fields, received_at=ingest.received_now())
        except ingest.SegmentRequestError as error:
            return _refused(error, path=path, key_id=key_id)
        ingest.intake_store(result, key_id=key_id, path=path, on_stored=ingest.fold_queue)
        return HttpResponse(_SUCCESS, content_type="application/json")

    endpoint.__name__ = f"segment_{kind or 'batch'}"
    endpoint.__doc__ = f"POST /v1/{kind or 'batch'}: Segment's HTTP tracking API."
    return endpoint


segment_batch = _track_endpoint(None)
segment_track = _track_endpoint("track")
segment_identify = _track_endpoint("identify")
segment_group = _track_endpoint("group")


@admin_required
def segment_settings(request: AuthenticatedRequest) -> HttpResponse:
    """Write keys: create one (its secret shown once, on this answer), see them and when each was last used."""
    form = WriteKeyForm(request.POST) if request.method == "POST" else WriteKeyForm()
    secret = created = None
    if form.is_bound and form.is_valid():
        created, secret = write_key_create(name=form.cleaned_data["name"], user=request.user)
        form = WriteKeyForm()
    context = {
        "section": "data",
        "form": form,
        "keys": selectors.segment_write_keys(),
        "created": created,
        "secret": secret,
        "base_url": request.build_absolute_uri("/").rstrip("/"),
        **selectors.segment_backlog(),
    }
    response = render(request, "accounts/segment.html", context, status=400 if form.errors else 200)
    response["Cache-Control"] = "no-store"  # the page may hold a new key's secret
    return response


@admin_required
@require_POST
def segment_key_revoke(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    key = get_object_or_404(SegmentWriteKey, pk=pk)
    write_key_revoke(key=key, by=request.user)
    messages.success(request, f"Revoked “{key.name}”: requests with it are refused from now on.")
    return redirect("segment_settings")
