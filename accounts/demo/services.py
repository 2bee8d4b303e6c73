"""Seeding the demo company: write its CSV bundle, then load it through the importer like any customer's data."""

from __future__ import annotations

import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from accounts.demo.bundle import BundleSummary, bundle_write
from accounts.importers import bundle_import
from accounts.models import Account, ImportRun, Role, User

DEMO_PASSWORD = "keel-demo"


class DemoSeedError(Exception):
    """The demo could not be seeded; the message says why."""


class DemoDatabaseNotEmpty(DemoSeedError):
    pass


class DemoImportRejected(DemoSeedError):
    def __init__(self, lines: list[str]) -> None:
        super().__init__("The importer rejected the demo bundle:\n" + "\n".join(lines))
        self.lines = lines


@dataclass
class DemoSeedResult:
    bundle: BundleSummary
    generate_seconds: float
    imported: bool
    import_seconds: float = 0.0
    report: list[str] = field(default_factory=list)


def demo_logins() -> list[tuple[str, str]]:
    """(role, email) of the first active user of each role (the first of the team in the demo bundle) that still
    has the demo password: what `seed_demo` and `make run` print. One password check per role."""
    logins = []
    for role in (Role.ADMIN, Role.VP, Role.CSM):
        user = User.objects.filter(role=role, is_active=True).order_by("pk").first()
        if user is not None and user.check_password(DEMO_PASSWORD):
            logins.append((role.value, user.email))
    return logins


def demo_default_end() -> date:
    """Yesterday in KEEL_TIMEZONE: the last full day a fresh demo has history for."""
    return timezone.localdate() - timedelta(days=1)


def demo_seed(
    *,
    accounts: int,
    seed: int,
    end: date,
    usage_days: int | None,
    bundle_dir: Path | None = None,
    bundle_only: bool = False,
    force: bool = False,
) -> DemoSeedResult:
    """Write the demo company's bundle and, unless `bundle_only`, import it and give its team DEMO_PASSWORD.

    The bundle goes to `bundle_dir` (kept) or a temporary folder (removed). The same `accounts`, `seed`, `end`
    and `usage_days` (and KEEL_TIMEZONE and KEEL_CURRENCY) always give the same bundle, byte for byte. Raises
    DemoDatabaseNotEmpty when the database already has accounts and not `force`, DemoImportRejected when the
    importer refuses the bundle (then nothing was imported).
    """
    if accounts < 1:
        raise DemoSeedError("The demo needs at least one account.")
    if usage_days is not None and usage_days < 1:
        raise DemoSeedError("usage_days must be at least 1.")
    if not bundle_only and not force:
        existing = Account.objects.count()
        if existing:
            raise DemoDatabaseNotEmpty(
                f"The database already has {existing} account{'' if existing == 1 else 's'}; the demo company "
                "is meant for an empty one. "
                "Pass --force to import it on top of them."
            )

    with ExitStack() as stack:
        directory = bundle_dir or Path(stack.enter_context(TemporaryDirectory(prefix="keel-demo-")))
        started = time.perf_counter()
        bundle = bundle_write(
            directory=directory,
            accounts=accounts,
            seed=seed,
            end=end,
            usage_days=usage_days,
            currency=settings.KEEL_CURRENCY,
            time_zone=settings.KEEL_TIMEZONE,
        )
        result = DemoSeedResult(bundle=bundle, generate_seconds=time.perf_counter() - started, imported=False)
        if bundle_only:
            return result

        started = time.perf_counter()
        outcome = bundle_import(path=directory, dry_run=False, user=None, source=ImportRun.Source.DEMO)
        if not outcome.ok:
            raise DemoImportRejected(list(outcome.report_lines()))
        # The import leaves new users without a usable password; the demo's logins must work at once.
        User.objects.filter(email__in=[member.email for member in bundle.team.members]).update(
            password=make_password(DEMO_PASSWORD)
        )
        result.imported = True
        result.import_seconds = time.perf_counter() - started
        result.report = list(outcome.report_lines())
    return result
