"""Writes about the team: admins add people, change their role, deactivate and reactivate them, and choose the
fallback owner of accounts without a CSM.

Every function checks that the acting user is an active admin and protects admins from locking themselves out;
a refused change raises `ValidationError` with a message fit to show on the page, and changes nothing.
"""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from accounts.models import Role, TeamSettings, User

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
        user.role = role
        user.save(update_fields=["role"])
        log.info("%s changed the role of %s to %s", changed_by.email, user.email, role)
    return user


def user_deactivate(*, user: User, by: User) -> User:
    """`user` can no longer log in; their sessions end on their next request. They keep their accounts."""
    _check_admin(by)
    if user.pk == by.pk:
        raise ValidationError("You cannot deactivate yourself; ask another admin.")
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
        log.info("%s deactivated %s", by.email, user.email)
    return user


def user_reactivate(*, user: User, by: User) -> User:
    _check_admin(by)
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
        log.info("%s reactivated %s", by.email, user.email)
    return user


def team_fallback_owner_set(*, owner: User | None, by: User) -> TeamSettings:
    """Who gets the tasks of accounts without a CSM (TeamSettings.fallback_owner): an active member, or None for
    the default, the first active admin (accounts.selectors.fallback_owner)."""
    _check_admin(by)
    if owner is not None and not owner.is_active:
        raise ValidationError(f"{owner.name} is deactivated: choose someone who can log in.")
    settings, _ = TeamSettings.objects.update_or_create(pk=1, defaults={"fallback_owner": owner})
    log.info("%s set the fallback owner to %s", by.email, owner.email if owner else "the first admin")
    return settings
