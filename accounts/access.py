"""Who may open what: decorators for pages only some roles may see (DESIGN.md "Roles and access").

Access to one account goes through `accounts.selectors.account_get_for_user`; these decorators guard whole pages.
Anonymous people are sent to the login page; a logged-in user without the role gets a 403.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase

from accounts.models import User


class AuthenticatedRequest(HttpRequest):
    """The request of a view behind `login_required` or a role decorator: `user` is a Keel user."""

    user: User


P = ParamSpec("P")
R = TypeVar("R", bound=HttpRequest)
View = Callable[Concatenate[R, P], HttpResponseBase]


def _role_required(view: View[R, P], test: Callable[[User], bool]) -> View[R, P]:
    @wraps(view)
    def wrapped(request: R, *args: P.args, **kwargs: P.kwargs) -> HttpResponseBase:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not (isinstance(user, User) and test(user)):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def vp_required(view: View[R, P]) -> View[R, P]:
    """Only VPs and admins (admin implies vp); other roles get a 403."""
    return _role_required(view, lambda user: user.is_vp)


def admin_required(view: View[R, P]) -> View[R, P]:
    """Only admins; other roles get a 403."""
    return _role_required(view, lambda user: user.is_admin)
