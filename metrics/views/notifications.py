"""The notification settings page (`/settings/notifications/`): everyone turns their daily digest email on or off
and sets their Slack webhook; admins set the team's Slack webhook; anyone sends themselves a test. The digests
themselves are metrics.services.notifications'."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.views.decorators.http import require_POST

from accounts.access import AuthenticatedRequest
from accounts.rate_limits import RateLimit, rate_limit_hit
from accounts.selectors import team_settings
from accounts.users import team_slack_webhook_set, user_notifications_set
from metrics.forms import NotificationSettingsForm, TeamSlackForm
from metrics.selectors.digest import DIGEST_RENEWAL_DAYS, notifications_recent
from metrics.services.notifications import notification_test_send

# Each test sends at once to an address the person typed: a few a person per ten minutes.
TEST_LIMIT = RateLimit("notification-test", limit=5, window=600)


@login_required
def notification_settings(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    which = request.POST.get("form") if request.method == "POST" else None
    if which == "team" and not user.is_admin:
        raise PermissionDenied
    mine = NotificationSettingsForm(
        request.POST if which == "mine" else None,
        initial={"daily_digest": user.daily_digest, "slack_webhook_url": user.slack_webhook_url},
    )
    team = (
        TeamSlackForm(
            request.POST if which == "team" else None,
            initial={"team_slack_webhook_url": team_settings().slack_webhook_url},
        )
        if user.is_admin
        else None
    )
    bound = mine if which == "mine" else team if which == "team" else None
    if bound is not None and bound.is_valid():
        try:
            if bound is mine:
                user_notifications_set(
                    user=user,
                    daily_digest=mine.cleaned_data["daily_digest"],
                    slack_webhook_url=mine.cleaned_data["slack_webhook_url"],
                )
                messages.success(request, "Your notifications are saved.")
            else:
                team_slack_webhook_set(url=bound.cleaned_data["team_slack_webhook_url"], by=user)
                messages.success(request, "The team's Slack webhook is saved.")
        except ValidationError as error:
            bound.add_error(None, error)
        else:
            return redirect("notification_settings")
    context = {
        "section": "notifications",
        "form": mine,
        "team_form": team,
        "has_team_webhook": bool(team_settings().slack_webhook_url) if user.is_admin else False,
        "recent": notifications_recent(user=user),
        "hour": settings.KEEL_DIGEST_HOUR,
        "time_zone": settings.KEEL_TIMEZONE,
        "renewal_days": DIGEST_RENEWAL_DAYS,
    }
    return render(request, "metrics/notifications.html", context, status=400 if bound is not None else 200)


@login_required
@require_POST
def notification_test(request: AuthenticatedRequest) -> HttpResponse:
    """Send a test message now to what is saved: the person's email and Slack, or (admins) the team's Slack."""
    team = request.POST.get("to") == "team"
    if team and not request.user.is_admin:
        raise PermissionDenied
    wait = rate_limit_hit(TEST_LIMIT, str(request.user.pk))
    if wait is not None:
        minutes = -(-wait // 60)
        messages.error(
            request, f"Too many tests in a row: try again in {minutes} minute{pluralize(minutes)}."
        )
        return redirect("notification_settings")
    outcomes = notification_test_send(user=request.user, team=team)
    if not outcomes:
        messages.error(request, "There is no team Slack webhook to test: save one first.")
    for outcome in outcomes:
        if outcome.error:
            messages.error(request, f"The test to {outcome.channel} failed: {outcome.error}")
        else:
            messages.success(request, f"A test message went to {outcome.channel}.")
    return redirect("notification_settings")
