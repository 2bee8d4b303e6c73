"""Shared fixtures: named users for permission tests, and the rule that CI never skips.

With CI=true a test that needs Redis or chromium fails when it is missing instead of skipping (README: Tests).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from datetime import date
from importlib import import_module
from typing import Any

import pytest
from django.apps import apps
from django.core.cache import cache

from accounts.models import Account, Role, User
from health.models import HealthModel
from health.selectors import health_model_active
from metrics.models import AccountDay, ComputedDay
from tests.scenarios import Facts

pytest_plugins = ["tests.smtp", "tests.slack"]

IN_CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM = "/usr/bin/chromium"


def require(condition: bool, reason: str) -> None:
    """Skip a test whose service or browser is missing, or fail it in CI."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: tests may not skip)")
    pytest.skip(reason)


def database_url(settings_dict: dict[str, Any]) -> str:
    """A DATABASE_URL for a child process on the same database (a Unix socket directory as ?host=)."""
    user, password, host = settings_dict["USER"], settings_dict["PASSWORD"] or "", settings_dict["HOST"] or ""
    if host.startswith("/"):
        return f"postgresql://{user}:{password}@/{settings_dict['NAME']}?host={host}"
    return f"postgresql://{user}:{password}@{host}:{settings_dict['PORT'] or 5432}/{settings_dict['NAME']}"


_DATABASE_FIXTURES = {
    "db",
    "transactional_db",
    "live_server",
    "django_db_setup",
    "admin_client",
    "admin_user",
}


@pytest.fixture(autouse=True)
def _default_health_model(request: pytest.FixtureRequest, django_db_blocker: Any) -> None:
    """The default health model comes from its migration (health 0002, completed and joined by Keel's
    recommended version in 0008), and the flush after a transactional test takes it away with everything else:
    put them back before a test that uses the database."""
    uses_db = request.node.get_closest_marker("django_db") or _DATABASE_FIXTURES & set(request.fixturenames)
    if not uses_db:
        return
    with django_db_blocker.unblock():
        if HealthModel.objects.exists():
            return
        import_module("health.migrations.0002_default_model").create_default_model(apps, None)
        import_module("health.migrations.0008_revenue_trend_and_lifecycle").add_versions(apps, None)


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get("REDIS_URL", "")
    require(bool(url), "REDIS_URL is not set")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError:
        require(False, f"Redis at {url} does not answer")
    return url


@pytest.fixture(scope="session")
def chromium_path() -> str:
    require(bool(shutil.which(CHROMIUM)), f"{CHROMIUM} is not installed (apt-get install chromium)")
    return CHROMIUM


PASSWORD = "correct horse battery staple"


@pytest.fixture
def make_user(db: None) -> Callable[..., User]:
    def make(email: str, role: str = Role.CSM, name: str | None = None, **fields: object) -> User:
        return User.objects.create_user(
            email, PASSWORD, name=name or email.split("@")[0].title(), role=role, **fields
        )

    return make


def _named_user(email: str, role: str, name: str, doc: str = "") -> Any:
    """A fixture of one of the named users that permission tests use (STYLE.md)."""

    def named_user(make_user: Callable[..., User]) -> User:
        return make_user(email, role, name)

    named_user.__doc__ = doc
    return pytest.fixture(named_user)


csm = _named_user(
    "alice@keel.test", Role.CSM, "Alice Owner", "A CSM who owns accounts in tests that create them for `csm`."
)
other_csm = _named_user(
    "bob@keel.test", Role.CSM, "Bob Other", "A CSM who does not own the accounts under test."
)
vp = _named_user("vera@keel.test", Role.VP, "Vera VP")
admin_user = _named_user("adam@keel.test", Role.ADMIN, "Adam Admin")


def api_key(user: User) -> str:
    """A new API token's key acting as `user` (made by an admin, as on the API tokens page)."""
    from accounts.services import api_token_create

    maker = User.objects.filter(role=Role.ADMIN, is_active=True).first() or User.objects.create_user(
        "token-maker@keel.test", None, name="Token Maker", role=Role.ADMIN
    )
    return api_token_create(name="tests", user=user, created_by=maker)[1]


@pytest.fixture
def own_account(csm: User) -> Account:
    """An account owned by `csm`, with a $1,200/year span (MRR 100.00) and a contact."""
    from tests.factories import AccountFactory, ContactFactory, SubscriptionSpanFactory

    account = AccountFactory.create(name="Harbor Lights Inc", external_id="ACC-OWN-1", csm=csm, segment="smb")
    SubscriptionSpanFactory(account=account, interval="year", amount="1200.00")
    ContactFactory(account=account, name="Hana Harbor", email="hana@harbor.example")
    return account


@pytest.fixture
def other_account(other_csm: User) -> Account:
    """An account owned by `other_csm`: `csm` must never see its name anywhere."""
    from tests.factories import AccountFactory, ContactFactory, SubscriptionSpanFactory

    account = AccountFactory.create(
        name="Zephyr Secret Corp", external_id="ACC-SECRET-9", csm=other_csm, segment="enterprise"
    )
    SubscriptionSpanFactory(account=account, interval="month", amount="999.00")
    ContactFactory(account=account, name="Zed Secret", email="zed@zephyr.example")
    return account


@pytest.fixture
def facts(db: None) -> Facts:
    reader = User.objects.create_user("reader@keel.test", None, name="Reader", role=Role.ADMIN)
    return Facts(reader=reader)


@pytest.fixture(autouse=True)
def _no_cached_backtests() -> None:
    """The Health page's preview caches backtests in the process's cache: start every test without them."""
    cache.clear()


@pytest.fixture
def stored_day(db: None) -> Callable[..., AccountDay]:
    """`stored_day(account, day, score=…, at_risk=…, arr=…, **components)`: a stored AccountDay row as the
    pipeline writes it (status from the active model's thresholds), and the day in the ledger."""

    def store(account: Account, day: date, *, score: float | None = 80.0, **fields: Any) -> AccountDay:
        model: HealthModel = fields.pop("health_model", None) or health_model_active()
        status = ""
        if score is not None:
            status = "green" if score >= model.green_min else "yellow" if score >= model.yellow_min else "red"
        values: dict[str, Any] = {
            "csm": account.csm,
            "arr": 1200,
            "health_model": model if score is not None else None,
            "score": score,
            "status": status,
            "at_risk": status == "red",
            "activity": score,
            "support": score,
            "recency": score,
        }
        values.update(fields)
        ComputedDay.objects.get_or_create(day=day)
        row, _ = AccountDay.objects.update_or_create(account=account, day=day, defaults=values)
        return row

    return store
