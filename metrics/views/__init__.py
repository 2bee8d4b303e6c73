"""Pages of the top floor, by feature: the dashboards and their drill-downs, the account pages, the Health model
page. They read snapshots (metrics.selectors), so their cost does not grow with the base."""
