"""Reads of the team: the Team and Data pages, and the choices of the filters by CSM and by segment."""

from __future__ import annotations

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.models import Account, ImportRun, Role, TeamSettings, User
from accounts.selectors.access import accounts_for_user


def team_members() -> QuerySet[User]:
    """Everyone on the team for the Team page: active people first, then by name."""
    return User.objects.order_by("-is_active", "name", "email")


def import_runs_recent(*, limit: int = 20) -> QuerySet[ImportRun]:
    return ImportRun.objects.select_related("user").order_by("-started_at")[:limit]


# A "loose index scan" on the account_segment_lower_name index (segment first): one index probe per distinct segment instead of reading
# every row (SELECT DISTINCT reads 100k rows for a handful of segments). PostgreSQL has no such plan built in and
# the ORM cannot say a recursive CTE, hence raw SQL.
DISTINCT_SEGMENTS_SQL = """
WITH RECURSIVE segments(segment) AS (
    (SELECT segment FROM accounts_account WHERE segment IS NOT NULL ORDER BY segment LIMIT 1)
    UNION ALL
    SELECT (SELECT a.segment FROM accounts_account a WHERE a.segment > s.segment ORDER BY a.segment LIMIT 1)
    FROM segments s WHERE s.segment IS NOT NULL
)
SELECT segment FROM segments WHERE segment IS NOT NULL AND segment <> ''
"""


def segments_for_user(user: User) -> list[str]:
    """The segments of the accounts `user` may see, in order, for the segment filter."""
    if user.is_vp:
        with connection.cursor() as cursor:
            cursor.execute(DISTINCT_SEGMENTS_SQL)
            return [segment for (segment,) in cursor.fetchall()]
    segments = accounts_for_user(user).order_by("segment").values_list("segment", flat=True).distinct()
    return [segment for segment in segments if segment]


def csms_for_filter() -> list[User]:
    """For the CSM filter: every CSM, active or not, and anyone else who owns accounts (say, a CSM made VP)."""
    owns_accounts = Exists(Account.objects.filter(csm=OuterRef("pk")))
    return list(User.objects.filter(Q(role=Role.CSM) | owns_accounts).order_by("name"))


def team_settings() -> TeamSettings:
    """The team's settings (one row); an unsaved default when none was saved yet (a selector never writes)."""
    return TeamSettings.objects.select_related("fallback_owner").filter(pk=1).first() or TeamSettings(pk=1)


def fallback_owner(settings: TeamSettings | None = None) -> User | None:
    """Who gets the tasks of an account without a CSM: the fallback owner of the team settings (`settings`, read
    when not given) while active, else the first active admin (by when they were added); None only when the team
    has no active admin."""
    chosen = (settings or team_settings()).fallback_owner
    if chosen is not None and chosen.is_active:
        return chosen
    return User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk").first()
