"""Writes about the team: admins add people, change their role, deactivate and reactivate them, and choose the
fallback owner of accounts without a CSM; everyone sets how Keel notifies them, and admins the team's Slack webhook.

Every function checks that the acting user is an active admin and protects admins from locking themselves out;
a refused change raises `ValidationError` with a message fit to show on the page, and changes nothing.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from accounts.models import Role, TeamSettings, User
from accounts.services.audit import audit_record

log = logging.getLogger(__name__)


def _check_admin(user: User) -> None:
    if not (user.is_active and user.is_admin):
        raise ValidationError("Only admins can change the team.")


def _check_role(role: str) -> None:
    if role not in Role.values:
        raise ValidationError(f"Unknown role {role!r}: use one of {', '.join(Role.values)}.")


def user_create(*, email: str, name: str, role: str, invited_by: User) -> User:
    """A new active user with no usable password: they set one through the password reset link (DATA.md)."""
    _check_admin(invited_by)
    email = email.strip().lower()
    name = name.strip()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(f"{email!r} is not an email address.") from None
    if not name:
        raise ValidationError("A name is required.")
    _check_role(role)
    if User.objects.filter(email=email).exists():
        raise ValidationError(f"{email} is already on the team.")
    try:
        with transaction.atomic():
            user = User.objects.create_user(email, None, name=name, role=role)
            audit_record(
                actor=invited_by, action="user.invite", target=user, detail={"role": role, "name": name}
            )
    except IntegrityError:  # added by someone else since the check above
        raise ValidationError(f"{email} is already on the team.") from None
    log.info("%s added %s as %s", invited_by.email, email, role)
    return user


def user_role_change(*, user: User, role: str, changed_by: User) -> User:
    """`user` with `role`. An admin cannot take their own admin role away (nobody could give it back)."""
    _check_admin(changed_by)
    _check_role(role)
    if user.pk == changed_by.pk and role != Role.ADMIN:
        raise ValidationError("You cannot remove your own admin role; ask another admin.")
    if user.role != role:
        before = user.role
        user.role = role
        with transaction.atomic():
            user.save(update_fields=["role"])
            audit_record(actor=changed_by, action="user.role", target=user, detail={"role": [before, role]})
        log.info("%s changed the role of %s to %s", changed_by.email, user.email, role)
    return user


def user_deactivate(*, user: User, by: User) -> User:
    """`user` can no longer log in; their sessions end on their next request. They keep their accounts."""
    _check_admin(by)
    if user.pk == by.pk:
        raise ValidationError("You cannot deactivate yourself; ask another admin.")
    if user.is_active:
        user.is_active = False
        with transaction.atomic():
            user.save(update_fields=["is_active"])
            audit_record(actor=by, action="user.deactivate", target=user, detail={"is_active": [True, False]})
        log.info("%s deactivated %s", by.email, user.email)
    return user


def user_reactivate(*, user: User, by: User) -> User:
    _check_admin(by)
    if not user.is_active:
        user.is_active = True
        with transaction.atomic():
            user.save(update_fields=["is_active"])
            audit_record(actor=by, action="user.reactivate", target=user, detail={"is_active": [False, True]})
        log.info("%s reactivated %s", by.email, user.email)
    return user


def team_fallback_owner_set(*, owner: User | None, by: User) -> TeamSettings:
    """Who gets the tasks of accounts without a CSM (TeamSettings.fallback_owner): an active member, or None for
    the default, the first active admin (accounts.selectors.fallback_owner)."""
    _check_admin(by)
    if owner is not None and not owner.is_active:
        raise ValidationError(f"{owner.name} is deactivated: choose someone who can log in.")
    with transaction.atomic():
        current = (
            TeamSettings.objects.select_for_update(of=("self",)).select_related("fallback_owner").first()
        )
        previous = current.fallback_owner.email if current and current.fallback_owner else None
        settings, _ = TeamSettings.objects.update_or_create(pk=1, defaults={"fallback_owner": owner})
        audit_record(
            actor=by,
            action="team.fallback_owner",
            target_type="team",
            target_label="Fallback owner",
            detail={"fallback_owner": [previous, owner.email if owner else None]},
        )
    log.info("%s set the fallback owner to %s", by.email, owner.email if owner else "the first admin")
    return settings


SLACK_WEBHOOK_HOST = "hooks.slack.com"
SLACK_WEBHOOK_MAX_LENGTH = 500


def slack_webhook_url_check(url: str, *, field: str = "slack_webhook_url") -> str:
    """`url` trimmed, "" to have none; else it must be a Slack incoming webhook, https://hooks.slack.com/…
    (ValidationError on `field` otherwise). Keel's server posts to it, so any other address is refused: a person
    could otherwise make the server send requests into its own network."""
    url = url.strip()
    if not url:
        return ""
    rule = f"a Slack incoming-webhook URL starts with https://{SLACK_WEBHOOK_HOST}/"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise ValidationError({field: f"Not a URL: {rule}."}) from None
    if len(url) > SLACK_WEBHOOK_MAX_LENGTH:
        raise ValidationError({field: f"Longer than {SLACK_WEBHOOK_MAX_LENGTH} characters."})
    if parts.scheme != "https":
        raise ValidationError({field: f"Not https: {rule}."})
    if parts.hostname != SLACK_WEBHOOK_HOST or port not in (None, 443) or parts.username or parts.password:
        raise ValidationError({field: f"Not Slack's address: {rule}."})
    if parts.path.strip("/") == "":
        raise ValidationError({field: f"No webhook path: {rule}services/…"})
    return url


def user_notifications_set(*, user: User, daily_digest: bool, slack_webhook_url: str) -> User:
    """`user`'s own notifications: the daily digest email on or off, and their Slack webhook ("" for none).
    A bad URL raises ValidationError naming the field and changes nothing."""
    url = slack_webhook_url_check(slack_webhook_url)
    User.objects.filter(pk=user.pk).update(daily_digest=daily_digest, slack_webhook_url=url)
    user.daily_digest, user.slack_webhook_url = daily_digest, url
    return user


def team_slack_webhook_set(*, url: str, by: User) -> TeamSettings:
    """The team's Slack webhook ("" for none), which gets the team's daily digest; admins only. A bad URL raises
    ValidationError naming the field and changes nothing."""
    _check_admin(by)
    url = slack_webhook_url_check(url, field="team_slack_webhook_url")
    with transaction.atomic():
        before = TeamSettings.objects.filter(pk=1).values_list("slack_webhook_url", flat=True).first() or ""
        team, _ = TeamSettings.objects.update_or_create(pk=1, defaults={"slack_webhook_url": url})
        # Whether there is a webhook, never its URL: the URL is what lets anyone post to the channel.
        audit_record(
            actor=by,
            action="team.slack_webhook",
            target_type="team",
            target_label="Team Slack webhook",
            detail={"slack_webhook": [bool(before), bool(url)]},
        )
    log.info("%s set the team's Slack webhook%s", by.email, "" if url else " to none")
    return team
