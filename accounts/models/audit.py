"""The audit log: one row per change an admin makes (the health model, the team, credentials, surveys,
playbooks, erasures), written by `accounts.services.audit.audit_record` in the change's own transaction.

The target is kept as a type, an id and a label copied when the change was made, so an entry still says what it
was about after the target is gone (an erased account, a revoked token)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from accounts.models.team import User


class AuditEntry(models.Model):
    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="None: Keel itself",
    )
    actor_label = models.CharField(max_length=254, blank=True, help_text="The actor's email when it was made")
    action = models.CharField(max_length=40, help_text="What was done, e.g. `user.role`")
    target_type = models.CharField(max_length=40)
    target_id = models.CharField(max_length=200, blank=True)
    target_label = models.CharField(max_length=300, blank=True)
    detail = models.JSONField(default=dict, blank=True, help_text="What changed; never a secret")

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "audit entries"
        indexes = [
            models.Index(fields=["-at", "-id"], name="audit_newest"),
            models.Index(fields=["action", "-at"], name="audit_action_newest"),
            models.Index(fields=["actor", "-at"], name="audit_actor_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label or 'Keel'} {self.action} {self.target_label}"

    def detail_lines(self) -> list[tuple[str, str]]:
        """The detail as (name, text) pairs for the page: a [before, after] pair reads "before → after"."""

        def text(value: object) -> str:
            if value is None or value == "":
                return "—"
            if isinstance(value, dict):
                return ", ".join(f"{name} {text(item)}" for name, item in value.items())
            if isinstance(value, list):
                return ", ".join(text(item) for item in value) or "—"
            return str(value)

        lines = []
        for name, value in (self.detail or {}).items():
            if (
                isinstance(value, list)
                and len(value) == 2
                and not any(isinstance(v, list | dict) for v in value)
            ):
                lines.append((name, f"{text(value[0])} → {text(value[1])}"))
            else:
                lines.append((name, text(value)))
        return lines
