"""Reads of the metrics app, by feature: monthly KPIs (the `kpis` command and the API), the figures pages show,
the company and CSM dashboards, the drill-down behind a figure, an account's history. Snapshots only, plus small
per-account lookups."""

from metrics.selectors.monthly import By, MonthsNotComputed, monthly_kpis

__all__ = ["By", "MonthsNotComputed", "monthly_kpis"]
