"""The team services (accounts/users.py): add, change role, deactivate, reactivate."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from accounts.models import Role, User
from accounts.users import user_create, user_deactivate, user_reactivate, user_role_change


def test_user_create_normalizes_and_has_no_usable_password(admin_user: User) -> None:
    user = user_create(email="  Nora@Keel.TEST ", name=" Nora North ", role=Role.VP, invited_by=admin_user)
    user.refresh_from_db()
    assert (user.email, user.name, user.role, user.is_active) == ("nora@keel.test", "Nora North", "vp", True)
    assert not user.has_usable_password()


@pytest.mark.parametrize(
    ("email", "name", "role", "message"),
    [
        ("alice@keel.test", "Alice Again", "csm", "alice@keel.test is already on the team."),
        ("ALICE@keel.test", "Alice Again", "csm", "alice@keel.test is already on the team."),
        ("not-an-email", "Someone", "csm", "'not-an-email' is not an email address."),
        ("new@keel.test", "   ", "csm", "A name is required."),
        ("new@keel.test", "New", "boss", "Unknown role 'boss': use one of csm, vp, admin."),
    ],
)
def test_user_create_refuses_bad_input(
    admin_user: User, csm: User, email: str, name: str, role: str, message: str
) -> None:
    count = User.objects.count()
    with pytest.raises(ValidationError) as error:
        user_create(email=email, name=name, role=role, invited_by=admin_user)
    assert error.value.messages == [message]
    assert User.objects.count() == count


@pytest.mark.parametrize("actor", ["csm", "vp"])
def test_only_admins_change_the_team(request: pytest.FixtureRequest, actor: str, other_csm: User) -> None:
    by: User = request.getfixturevalue(actor)
    with pytest.raises(ValidationError, match="Only admins"):
        user_create(email="x@keel.test", name="X", role="csm", invited_by=by)
    with pytest.raises(ValidationError, match="Only admins"):
        user_role_change(user=other_csm, role=Role.ADMIN, changed_by=by)
    with pytest.raises(ValidationError, match="Only admins"):
        user_deactivate(user=other_csm, by=by)
    with pytest.raises(ValidationError, match="Only admins"):
        user_reactivate(user=other_csm, by=by)


def test_a_deactivated_admin_cannot_change_the_team(admin_user: User, csm: User) -> None:
    admin_user.is_active = False
    with pytest.raises(ValidationError, match="Only admins"):
        user_deactivate(user=csm, by=admin_user)


def test_role_change(admin_user: User, csm: User) -> None:
    user_role_change(user=csm, role=Role.VP, changed_by=admin_user)
    csm.refresh_from_db()
    assert csm.role == Role.VP


def test_an_admin_cannot_demote_themselves(admin_user: User) -> None:
    with pytest.raises(ValidationError, match="cannot remove your own admin role"):
        user_role_change(user=admin_user, role=Role.VP, changed_by=admin_user)
    admin_user.refresh_from_db()
    assert admin_user.role == Role.ADMIN
    user_role_change(user=admin_user, role=Role.ADMIN, changed_by=admin_user)  # staying admin is fine


def test_deactivate_and_reactivate(admin_user: User, csm: User) -> None:
    user_deactivate(user=csm, by=admin_user)
    csm.refresh_from_db()
    assert not csm.is_active
    user_deactivate(user=csm, by=admin_user)  # again: nothing changes, no error
    user_reactivate(user=csm, by=admin_user)
    csm.refresh_from_db()
    assert csm.is_active


def test_an_admin_cannot_deactivate_themselves(admin_user: User) -> None:
    with pytest.raises(ValidationError, match="cannot deactivate yourself"):
        user_deactivate(user=admin_user, by=admin_user)
    admin_user.refresh_from_db()
    assert admin_user.is_active
