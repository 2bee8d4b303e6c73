"""Reading settings from the environment, failing loudly.

Every value Keel reads from the environment goes through one of these helpers, so a bad value stops start-up
with `ImproperlyConfigured` naming the variable, instead of surfacing later as a wrong number.
"""

from __future__ import annotations

import os
import re
from datetime import time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _raw(name: str) -> str | None:
    value = os.environ.get(name)
    return None if value is None else value.strip()


def env_str(name: str, default: str | None = None, *, required: bool = False) -> str:
    value = _raw(name)
    if value is None or value == "":
        if required:
            raise ImproperlyConfigured(f"{name} must be set.")
        if default is None:
            return ""
        return default
    return value


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = _raw(name) or default
    if value not in choices:
        raise ImproperlyConfigured(f"{name}={value!r} must be one of {', '.join(choices)}.")
    return value


def env_bool(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None:
        return default
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use true or false).")


def env_int(name: str, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
    value = _raw(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={number} is below the minimum {minimum}.")
    if maximum is not None and number > maximum:
        raise ImproperlyConfigured(f"{name}={number} is above the maximum {maximum}.")
    return number


def env_decimal(name: str, default: str, *, minimum: Decimal, maximum: Decimal) -> Decimal:
    value = _raw(name) or default
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise ImproperlyConfigured(f"{name}={value!r} is not a decimal number.") from None
    if not number.is_finite() or not minimum <= number <= maximum:
        raise ImproperlyConfigured(f"{name}={value!r} must be between {minimum} and {maximum}.")
    return number


def env_timezone(name: str, default: str) -> str:
    value = _raw(name) or default
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ImproperlyConfigured(
            f"{name}={value!r} is not an IANA time zone (e.g. Europe/Berlin)."
        ) from None
    return value


def env_currency(name: str, default: str) -> str:
    value = (_raw(name) or default).upper()
    if not re.fullmatch(r"[A-Z]{3}", value):
        raise ImproperlyConfigured(f"{name}={value!r} is not a three-letter ISO 4217 currency code.")
    return value


def env_time_of_day(name: str, default: str) -> time:
    value = _raw(name) or default
    try:
        return time.fromisoformat(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a time of day (HH:MM).") from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = _raw(name)
    if value is None or value == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_url(name: str, *, schemes: tuple[str, ...]) -> str:
    value = _raw(name) or ""
    if value and value.split("://", 1)[0] not in schemes:
        raise ImproperlyConfigured(
            f"{name}={value!r} must start with one of {', '.join(s + '://' for s in schemes)}."
        )
    return value


def env_path(name: str, default: Path) -> Path:
    """An absolute path: every process (web, workers) must find the same folder whatever its working directory."""
    value = _raw(name)
    if not value:
        return default
    path = Path(value).expanduser()
    if not path.is_absolute():
        raise ImproperlyConfigured(f"{name}={value!r} is not an absolute path.")
    return path


def env_proxy_ssl_header(name: str, default: str) -> tuple[str, str] | None:
    """`Header-Name: value` (the header a TLS-terminating proxy sets, and its value on https) as Django's
    SECURE_PROXY_SSL_HEADER, e.g. ("HTTP_X_FORWARDED_PROTO", "https"); `none` when no proxy sits in front."""
    value = _raw(name) or default
    if value.lower() == "none":
        return None
    header, colon, expected = value.partition(":")
    header, expected = header.strip(), expected.strip()
    if not colon or not re.fullmatch(r"[A-Za-z0-9-]+", header) or not expected:
        raise ImproperlyConfigured(
            f"{name}={value!r} must be `Header-Name: value` (e.g. `X-Forwarded-Proto: https`) or `none`."
        )
    return "HTTP_" + header.upper().replace("-", "_"), expected
