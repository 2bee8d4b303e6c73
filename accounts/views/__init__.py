"""Pages of the team and its data, one module per page (home and Team, Data, the Segment endpoint and its write
keys, the timeline's logged entries). The pages of accounts read snapshots, so they live on the top floor
(metrics.views.accounts)."""

from accounts.views.api_tokens import api_token_revoke_view, api_tokens
from accounts.views.audit import audit_log
from accounts.views.data import data, import_run_detail, import_run_progress
from accounts.views.segment import (
    segment_batch,
    segment_group,
    segment_identify,
    segment_key_revoke,
    segment_settings,
    segment_track,
)
from accounts.views.sources import data_sources
from accounts.views.stripe import stripe_quarantine, stripe_webhook
from accounts.views.team import home, team, team_deactivate, team_fallback_owner, team_reactivate, team_role
from accounts.views.timeline import timeline_entry_delete_view, timeline_entry_edit, timeline_entry_new

__all__ = [
    "api_token_revoke_view",
    "api_tokens",
    "audit_log",
    "data",
    "data_sources",
    "home",
    "import_run_detail",
    "import_run_progress",
    "segment_batch",
    "segment_group",
    "segment_identify",
    "segment_key_revoke",
    "segment_settings",
    "segment_track",
    "stripe_quarantine",
    "stripe_webhook",
    "team",
    "team_deactivate",
    "team_fallback_owner",
    "team_reactivate",
    "team_role",
    "timeline_entry_delete_view",
    "timeline_entry_edit",
    "timeline_entry_new",
]
