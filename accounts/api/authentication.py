"""`Authorization: Token <key>`: the API token's user, scoped by that user's role. A revoked token, an unknown
key or a deactivated user is a 401; after KEEL_KEY_FAILURES_PER_ADDRESS unknown or revoked keys from one
address within the window (Segment write keys count too), every token from that address is a 429 for
KEEL_LOCKOUT_SECONDS, so keys cannot be guessed at speed."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from accounts.models import ApiToken, User
from accounts.rate_limits import client_address, key_lockout, lockout_failure, lockout_wait
from accounts.services.api_tokens import api_token_hash, api_token_used


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Send `Authorization: Token <key>`, with one key.")
        lockout, address = key_lockout(), client_address(request)
        wait = lockout_wait(lockout, address)
        if wait is not None:
            raise exceptions.Throttled(wait, detail="Too many invalid tokens from this address.")
        try:
            key = header[1].decode("ascii")
        except UnicodeDecodeError:
            lockout_failure(lockout, address)
            raise exceptions.AuthenticationFailed("Invalid token.") from None
        token = ApiToken.objects.select_related("user").filter(key_hash=api_token_hash(key)).first()
        if token is None or token.revoked_at is not None:
            lockout_failure(lockout, address)
            raise exceptions.AuthenticationFailed("Invalid or revoked token.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("The token's user is deactivated.")
        api_token_used(token=token)
        return token.user, token

    def authenticate_header(self, request: Any) -> str:
        return self.keyword


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """The token in the schema: `Authorization: Token <key>`."""

    target_class = ApiTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <key>`: an API token made by an admin on /settings/api-tokens/",
        }
