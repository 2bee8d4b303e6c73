"""Email and password login (settings.AUTHENTICATION_BACKENDS)."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend


class EmailBackend(ModelBackend):
    """Django's model backend: the username is the email, which `get_by_natural_key` lower-cases.

    Permissions come from `User.has_perm` (admins may do everything in the Django admin), not from
    permission tables, which Keel's user does not have.
    """

    def get_all_permissions(self, user_obj: object, obj: object = None) -> set[str]:
        return set()
