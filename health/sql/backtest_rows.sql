-- The rows of METRICS.md "Backtest" for the month-ends of _scored (the accounts scored on them with their
-- stored components, which the pipeline copies from its daily rows): the accounts of a day counted per distinct
-- components, those labelled "churned within 90 days" (MRR 0 on some day in d+1…d+90) apart from those that
-- stayed. Neither depends on a model's weights or thresholds, so they are kept in health_backtestrow and every
-- backtest re-weights them.
-- Set-based: the islands of paid days are built once (MATERIALIZED) and joined, so the cost grows with
-- account-months, not with their square.
-- in: _scored, accounts_subscriptionspan
-- out: health_backtestrow
INSERT INTO health_backtestrow
    (day, activity, adoption, sentiment, support, revenue, recency, revenue_trend, churned, stayed)
WITH paid AS (
    SELECT account_id, starts_on AS starts, COALESCE(ends_on, 'infinity'::date) AS ends
    FROM accounts_subscriptionspan
    WHERE amount > 0 AND account_id IN (SELECT DISTINCT account_id FROM _scored)
),
marked AS (
    -- islands of days with MRR > 0: a span that starts on or before the end of the ones before continues them
    SELECT *, CASE WHEN starts <= MAX(ends) OVER (PARTITION BY account_id ORDER BY starts, ends
                                                 ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
                   THEN 0 ELSE 1 END AS new_island
    FROM paid
),
islands AS MATERIALIZED (
    SELECT account_id, MIN(starts) AS starts, MAX(ends) AS ends
    FROM (SELECT *, SUM(new_island) OVER (PARTITION BY account_id ORDER BY starts, ends) AS island FROM marked) n
    GROUP BY account_id, island
)
SELECT s.day, s.activity, s.adoption, s.sentiment, s.support, s.revenue, s.recency, s.revenue_trend,
       COUNT(*) FILTER (WHERE i.account_id IS NULL), COUNT(*) FILTER (WHERE i.account_id IS NOT NULL)
FROM _scored s
-- islands of one account are disjoint: at most one covers d+1…d+90, so the join adds no rows
LEFT JOIN islands i ON i.account_id = s.account_id AND i.starts <= s.day + 1 AND i.ends >= s.day + 91
GROUP BY s.day, s.activity, s.adoption, s.sentiment, s.support, s.revenue, s.recency, s.revenue_trend;
