"""Email and password login (settings.AUTHENTICATION_BACKENDS), with the lockout of failed logins.

Every password login goes through `EmailBackend.authenticate` (Keel's login page, the Django admin's, the test
client), so the lockout holds wherever a password is tried.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from accounts.models import User
from accounts.rate_limits import Lockout, client_address, lockout_clear, lockout_failure, lockout_wait


def login_lockouts() -> tuple[Lockout, Lockout]:
    """The lockouts of failed logins: per email, per address (README "Configuration")."""
    window, lockout = settings.KEEL_LOCKOUT_WINDOW_SECONDS, settings.KEEL_LOCKOUT_SECONDS
    return (
        Lockout("login-email", settings.KEEL_LOGIN_FAILURES, window, lockout),
        Lockout("login-address", settings.KEEL_LOGIN_FAILURES_PER_ADDRESS, window, lockout),
    )


def _login_keys(request: HttpRequest | None, username: str | None) -> tuple[str, str]:
    # Counted by the email as typed, whether or not it is anyone's: a locked-out email of no one reads like a
    # locked-out person's, so the message tells nobody who has an account.
    return (username or "").strip().lower(), client_address(request) if request is not None else "none"


def login_wait(request: HttpRequest | None, username: str | None) -> int | None:
    """The seconds before this email may try a password again from this address, or None when it may now."""
    by_email, by_address = login_lockouts()
    email, address = _login_keys(request, username)
    return lockout_wait(by_email, email) or lockout_wait(by_address, address)


class LoginLocked(PermissionDenied):
    """Too many failed logins: the password is not even tried."""


class EmailBackend(ModelBackend):
    """Django's model backend: the username is the email, which `get_by_natural_key` lower-cases.

    Permissions come from `User.has_perm` (admins may do everything in the Django admin), not from
    permission tables, which Keel's user does not have.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if username is None:
            username = kwargs.pop(User.USERNAME_FIELD, None)
        if username is None or password is None:
            return None
        if login_wait(request, username):
            raise LoginLocked  # django.contrib.auth.authenticate() answers None, as for a wrong password
        user = super().authenticate(request, username=username, password=password, **kwargs)
        by_email, by_address = login_lockouts()
        email, address = _login_keys(request, username)
        if user is None:
            lockout_failure(by_email, email)
            lockout_failure(by_address, address)
        else:
            # The address's count stays: one's own account must not reset the count of guesses at others'.
            lockout_clear(by_email, email)
        return user

    def get_all_permissions(self, user_obj: object, obj: object = None) -> set[str]:
        return set()
