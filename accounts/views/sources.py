"""The Data sources page (admins): what each way data comes in delivered in the last 30 days, what it refused and
why, and which source has gone quiet. It reads the counts the sources keep (accounts.selectors.sources).
"""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.access import AuthenticatedRequest, admin_required
from accounts.selectors import source_activity, source_rejections_recent, stripe_quarantine

QUARANTINE_SHOWN = 10  # the Stripe tab lists them all, with the mapping form


@admin_required
@require_GET
def data_sources(request: AuthenticatedRequest) -> HttpResponse:
    today = timezone.localdate()
    sources = source_activity(today=today)
    days = sources[0].days
    context = {
        "section": "data",
        "today": today,
        "first_day": days[0],
        "sources": sources,
        # The table under the charts: a row a day (newest first), a cell a source (accepted, refused).
        "by_day": [
            (day, [(source.accepted[n], source.rejected[n]) for source in sources])
            for n, day in reversed(list(enumerate(days)))
        ],
        "rejections": source_rejections_recent(),
        "quarantine": list(stripe_quarantine()[:QUARANTINE_SHOWN]),
        "charts": {
            "days": [f"{day:%Y-%m-%d}" for day in days],
            "sources": [
                {"key": source.source.value, "accepted": source.accepted, "rejected": source.rejected}
                for source in sources
            ],
        },
    }
    return render(request, "accounts/data_sources.html", context)
