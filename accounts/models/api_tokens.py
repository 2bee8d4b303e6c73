"""API tokens: each acts as a Keel user, so it sees and writes what that user's role allows (DESIGN.md
"Roles"). Only a hash of the key is stored; the key itself is shown once, when the token is made."""

from __future__ import annotations

from django.db import models

from accounts.models.team import User


class ApiToken(models.Model):
    name = models.CharField(max_length=200, help_text="What the token is for, e.g. “CRM sync”")
    key_hash = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the key, hex")
    prefix = models.CharField(max_length=12, help_text="The key's first characters, to recognise it")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…) as {self.user_id}"
