"""Usage rolled up by day, the inputs of the usage figures, and how far the rollups have come."""

from __future__ import annotations

from django.db import models


class UsageUserDay(models.Model):
    """Rollup of usage events: this user of this account was active on this local day (METRICS.md "Product usage").

    Rebuilt per day by the pipeline from `accounts.UsageEvent` (only activity matters: `count` does not change
    it). Keyed by day first (windows of days, rebuilding a day), indexed by user too (each user's days).
    """

    pk = models.CompositePrimaryKey("day", "account", "user_id")
    day = models.DateField()
    account = models.ForeignKey(
        "accounts.Account", on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    # Byte order ("C"): the pipeline sorts millions of these per run, and no person reads them in order.
    user_id = models.CharField(max_length=200, db_collation="C")

    class Meta:
        # Each user's days in order: the dense series reads them so (mau), without sorting millions of rows.
        indexes = [models.Index(fields=["account", "user_id", "day"], name="usage_user_day_by_user")]

    def __str__(self) -> str:
        return f"{self.user_id} of {self.account_id} on {self.day}"


class UsageAccountDay(models.Model):
    """Rollup of usage events: how many users of this account were active on this local day (its dau).

    Keyed by account first, so the last active day before any date is one index probe per account.
    """

    pk = models.CompositePrimaryKey("account", "day")
    account = models.ForeignKey(
        "accounts.Account", on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    day = models.DateField()
    users = models.IntegerField()

    def __str__(self) -> str:
        return f"{self.users} users of {self.account_id} on {self.day}"


class UsageEventDay(models.Model):
    """Rollup of usage events: this account had this event on this local day (feature adoption)."""

    pk = models.CompositePrimaryKey("day", "account", "event")
    day = models.DateField()
    account = models.ForeignKey(
        "accounts.Account", on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    event = models.CharField(max_length=200, db_collation="C")

    def __str__(self) -> str:
        return f"{self.event} at {self.account_id} on {self.day}"


class FirstEventDay(models.Model):
    """The first local day each account had each event: time to value, and the event names "in the data"."""

    id = models.BigAutoField(primary_key=True)
    account = models.ForeignKey(
        "accounts.Account", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    event = models.CharField(max_length=200)
    day = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "event"], name="first_event_day_key")]
        indexes = [models.Index(fields=["event", "day"], name="first_event_day_event")]

    def __str__(self) -> str:
        return f"{self.account_id} first had {self.event} on {self.day}"


class RollupState(models.Model):
    """The time zone the rollups' local days were built in; a change of KEEL_TIMEZONE rebuilds them all."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    timezone = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"rollups in {self.timezone}"
