"""The test suite: fast password hashing, local memory email, eager Celery unless a test asks for a worker."""

from config.settings.base import *  # noqa: F403
from config.settings.environment import env_str

SECRET_KEY = env_str("DJANGO_SECRET_KEY", "keel-test-key")
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
# The process's own cache whatever REDIS_URL says: a test that clears it must not clear the broker's database.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tests run inside a transaction that other connections cannot see: the pipeline's chunks run one after the
# other on the test's own connection (tests/metrics/test_parallel.py runs them in parallel on committed data).
KEEL_PIPELINE_JOBS = 1

# The Stripe webhook endpoint answers in tests (a test of the unconfigured endpoint overrides it).
STRIPE_WEBHOOK_SECRET = "whsec_keel_test_secret"
