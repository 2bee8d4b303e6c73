"""Pages of the team and its data, one module per page (home and Team, Data). The pages of accounts read
snapshots, so they live on the top floor (metrics.views.accounts)."""

from accounts.views.api_tokens import api_token_revoke_view, api_tokens
from accounts.views.data import data, import_run_detail, import_run_progress
from accounts.views.team import home, team, team_deactivate, team_reactivate, team_role

__all__ = [
    "api_token_revoke_view",
    "api_tokens",
    "data",
    "home",
    "import_run_detail",
    "import_run_progress",
    "team",
    "team_deactivate",
    "team_reactivate",
    "team_role",
]
