"""Writes of the metrics app: usage rollups, daily account snapshots, monthly KPIs and the pipeline that runs them."""
