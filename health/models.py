"""Health-score models, per-account scores, alerts and tasks (METRICS.md "Health score")."""
