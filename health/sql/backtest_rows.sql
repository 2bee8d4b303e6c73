-- The rows of METRICS.md "Backtest" for the month-ends %(days)s (a literal array, so that the planner reads those
-- days through the (day, account) key instead of scanning every stored day): the accounts scored on d counted
-- per distinct stored components, those labelled "churned within 90 days" (MRR 0 on some day in d+1…d+90) apart
-- from those that stayed. Neither depends on a model's weights or thresholds, so they are kept in
-- health_backtestrow and every backtest re-weights them, with the bits of the components present (1 << i for
-- COMPONENTS[i]: activity, adoption, sentiment, support, revenue, recency) that pick the score's denominator
-- (health.sql.reweighted_score).
-- Set-based: the islands of paid days are built once (MATERIALIZED) and joined, so the cost grows with
-- account-months, not with their square.
INSERT INTO health_backtestrow (day, activity, adoption, sentiment, support, revenue, recency, present, churned,
                                stayed)
WITH scored AS MATERIALIZED (
    SELECT h.day, h.account_id, h.activity, h.adoption, h.sentiment, h.support, h.revenue, h.recency,
           (CASE WHEN h.activity IS NULL THEN 0 ELSE 1 END + CASE WHEN h.adoption IS NULL THEN 0 ELSE 2 END
           + CASE WHEN h.sentiment IS NULL THEN 0 ELSE 4 END + CASE WHEN h.support IS NULL THEN 0 ELSE 8 END
           + CASE WHEN h.revenue IS NULL THEN 0 ELSE 16 END + CASE WHEN h.recency IS NULL THEN 0 ELSE 32 END) AS present
    FROM metrics_accountday h
    WHERE h.day = ANY (%(days)s::date[]) AND h.score IS NOT NULL
),
paid AS (
    SELECT account_id, starts_on AS starts, COALESCE(ends_on, 'infinity'::date) AS ends
    FROM accounts_subscriptionspan
    WHERE amount > 0 AND account_id IN (SELECT DISTINCT account_id FROM scored)
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
SELECT s.day, s.activity, s.adoption, s.sentiment, s.support, s.revenue, s.recency, s.present,
       COUNT(*) FILTER (WHERE i.account_id IS NULL), COUNT(*) FILTER (WHERE i.account_id IS NOT NULL)
FROM scored s
-- islands of one account are disjoint: at most one covers d+1…d+90, so the join adds no rows
LEFT JOIN islands i ON i.account_id = s.account_id AND i.starts <= s.day + 1 AND i.ends >= s.day + 91
GROUP BY s.day, s.activity, s.adoption, s.sentiment, s.support, s.revenue, s.recency, s.present;
