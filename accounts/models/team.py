"""Keel's own people: users, their roles (DESIGN.md "Roles and access")."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower


class Role(models.TextChoices):
    CSM = "csm", "CSM"
    VP = "vp", "VP"
    ADMIN = "admin", "Admin"


class UserManager(BaseUserManager["User"]):
    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email=(username or "").strip().lower())

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> User:
        user = self.model(email=email.strip().lower(), **fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields["role"] = Role.ADMIN
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser):
    """A person on the customer success team. Logs in with their email; `role` decides what they see."""

    email = models.EmailField(
        unique=True, help_text="Stored in lower case; logins compare case-insensitively."
    )
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.CSM)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(auto_now_add=True)
    # db_default too: the bundle importer inserts team members in SQL.
    daily_digest = models.BooleanField(
        default=True,
        db_default=True,
        help_text="A morning email of new at-risk accounts, tasks due and renewals in 30 days",
    )
    slack_webhook_url = models.URLField(
        max_length=500,
        blank=True,
        db_default="",
        help_text="A Slack incoming-webhook URL for this person's alerts",
    )

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(role__in=Role.values), name="user_role_valid"),
            models.CheckConstraint(condition=Q(email=Lower("email")), name="user_email_lowercase"),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_vp(self) -> bool:
        """VPs and admins see the whole base (admin implies vp)."""
        return self.role in (Role.VP, Role.ADMIN)

    @property
    def is_csm(self) -> bool:
        return self.role == Role.CSM

    # The Django admin asks these; in Keel only admins use it.
    @property
    def is_staff(self) -> bool:
        return self.is_active and self.is_admin

    @property
    def is_superuser(self) -> bool:
        return self.is_staff

    def has_perm(self, perm: str, obj: object = None) -> bool:
        return self.is_staff

    def has_perms(self, perm_list: Any, obj: object = None) -> bool:
        return self.is_staff

    def has_module_perms(self, app_label: str) -> bool:
        return self.is_staff


class TeamSettings(models.Model):
    """Settings of the whole team, one row (pk 1): who gets the tasks of accounts without a CSM, and the team's
    Slack incoming webhook for the same alerts the CSMs get."""

    fallback_owner = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Gets the tasks of accounts without an owner; unset: the first active admin",
    )
    slack_webhook_url = models.URLField(max_length=500, blank=True)

    class Meta:
        verbose_name_plural = "team settings"
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="team_settings_one_row")]

    def __str__(self) -> str:
        return "Team settings"
