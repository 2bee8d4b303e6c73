-- The accounts scored on the days %(days)s, with their stored components and ARR: what the backtest's rows and
-- churners are made of (health/sql/backtest_rows.sql reads them).
-- in: metrics_accountday
-- out: _scored
-- params: days
CREATE TEMP TABLE _scored ON COMMIT DROP AS
SELECT day, account_id, arr, activity, adoption, sentiment, support, revenue, recency, revenue_trend
FROM metrics_accountday
WHERE day = ANY(%(days)s::date[]) AND score IS NOT NULL;
ANALYZE _scored;
