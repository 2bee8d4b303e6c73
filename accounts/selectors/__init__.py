"""Reads of the book of business for pages and the API, by feature: access (decided in one place), the team and
the choices of the filters.

A CSM sees the accounts they own today (`Account.csm`); VPs and admins see every account (DESIGN.md
"Roles and access"). Everything that lists or opens accounts starts from `accounts_for_user`.
"""

from accounts.selectors.access import (
    UNASSIGNED,
    account_get_for_user,
    account_search,
    accounts_for_user,
    money_field,
    visible_to,
    with_current_mrr,
)
from accounts.selectors.audit import SYSTEM_ACTOR, audit_actions, audit_entries
from accounts.selectors.segment import segment_backlog, segment_write_keys
from accounts.selectors.sources import source_activity, source_rejections_recent
from accounts.selectors.stripe import stripe_events_recent, stripe_quarantine
from accounts.selectors.team import (
    DISTINCT_SEGMENTS_SQL,
    csms_for_filter,
    fallback_owner,
    import_runs_recent,
    segments_for_user,
    team_members,
    team_settings,
)

__all__ = [
    "DISTINCT_SEGMENTS_SQL",
    "SYSTEM_ACTOR",
    "UNASSIGNED",
    "account_get_for_user",
    "account_search",
    "accounts_for_user",
    "audit_actions",
    "audit_entries",
    "csms_for_filter",
    "fallback_owner",
    "import_runs_recent",
    "money_field",
    "segment_backlog",
    "segment_write_keys",
    "segments_for_user",
    "source_activity",
    "source_rejections_recent",
    "stripe_events_recent",
    "stripe_quarantine",
    "team_members",
    "team_settings",
    "visible_to",
    "with_current_mrr",
]
