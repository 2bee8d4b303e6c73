"""Production (docker-compose, a real server): no default secret, whitenoise with hashed static files, and
HTTPS only (README "Configuration": each of these can be turned down for a server that has no TLS yet)."""

from config.settings.base import *  # noqa: F403
from config.settings.environment import env_bool, env_int, env_proxy_ssl_header, env_str

SECRET_KEY = env_str("DJANGO_SECRET_KEY", required=True)
DEBUG = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Keel runs behind a proxy that terminates TLS and says so in this header; only trust it when the proxy always
# sets (or strips) it, else a client could claim https itself.
SECURE_PROXY_SSL_HEADER = env_proxy_ssl_header("DJANGO_PROXY_SSL_HEADER", "X-Forwarded-Proto: https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 365 * 24 * 3600, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", False)
# Asking browsers to preload a domain is its owner's decision for the whole registered domain, not Keel's: with
# preload off by choice, the check that suggests it is silenced (README "Decisions").
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD or not SECURE_HSTS_SECONDS else ["security.W021"]
