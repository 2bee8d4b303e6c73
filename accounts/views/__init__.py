"""Pages of the team and its data, one module per page (home and Team, Data). The pages of accounts read
snapshots, so they live on the top floor (metrics.views.accounts)."""

from accounts.views.data import data, import_run_detail, import_run_progress
from accounts.views.stripe import stripe_quarantine, stripe_webhook
from accounts.views.team import home, team, team_deactivate, team_reactivate, team_role

__all__ = [
    "data",
    "home",
    "import_run_detail",
    "import_run_progress",
    "stripe_quarantine",
    "stripe_webhook",
    "team",
    "team_deactivate",
    "team_reactivate",
    "team_role",
]
