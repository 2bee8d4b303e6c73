-- METRICS.md "Backtest": pooled over every month-end d of the range whose 90 days are over by the last computed
-- day, and every account scored on d, the label is "churned within 90 days" (MRR 0 on some day in d+1…d+90).
-- Scores are recomputed from the stored components with the model's weights (a draft being tuned, or the
-- active model), rounded to 4 decimals so that ties are exact. Returns one row: n_churned, n_stayed, the rank
-- sum of the churned (average ranks for ties) and scored/churned counts per status.
-- Set-based: the scores and the islands of paid days are built once (MATERIALIZED) and joined, so the cost grows
-- with account-months, not with their square.
-- Input: %(days)s, the month-ends of the range whose 90 days are over (a literal array, so that the planner
-- reads those days through the (day, account) key instead of scanning every stored day).
WITH scores AS MATERIALIZED (
    SELECT h.day, h.account_id,
           round((
               (COALESCE(%(w_activity)s * h.activity, 0) + COALESCE(%(w_adoption)s * h.adoption, 0)
                + COALESCE(%(w_sentiment)s * h.sentiment, 0) + COALESCE(%(w_support)s * h.support, 0)
                + COALESCE(%(w_revenue)s * h.revenue, 0) + COALESCE(%(w_recency)s * h.recency, 0))
               / NULLIF(
                   CASE WHEN h.activity IS NULL THEN 0 ELSE %(w_activity)s END
                   + CASE WHEN h.adoption IS NULL THEN 0 ELSE %(w_adoption)s END
                   + CASE WHEN h.sentiment IS NULL THEN 0 ELSE %(w_sentiment)s END
                   + CASE WHEN h.support IS NULL THEN 0 ELSE %(w_support)s END
                   + CASE WHEN h.revenue IS NULL THEN 0 ELSE %(w_revenue)s END
                   + CASE WHEN h.recency IS NULL THEN 0 ELSE %(w_recency)s END, 0)
           )::numeric, 4) AS score
    FROM metrics_accountday h
    WHERE h.day = ANY (%(days)s::date[]) AND h.score IS NOT NULL
),
paid AS (
    SELECT account_id, starts_on AS starts, COALESCE(ends_on, 'infinity'::date) AS ends
    FROM accounts_subscriptionspan
    WHERE amount > 0 AND account_id IN (SELECT DISTINCT account_id FROM scores)
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
),
labelled AS (
    SELECT s.score,
           CASE WHEN s.score >= %(green_min)s THEN 'green' WHEN s.score >= %(yellow_min)s THEN 'yellow' ELSE 'red' END
               AS status,
           i.account_id IS NULL AS churned
    FROM scores s
    -- islands of one account are disjoint: at most one covers d+1…d+90, so the join adds no rows
    LEFT JOIN islands i ON i.account_id = s.account_id AND i.starts <= s.day + 1 AND i.ends >= s.day + 91
    WHERE s.score IS NOT NULL
),
ranked AS (
    SELECT churned, status,
           RANK() OVER (ORDER BY score) + (COUNT(*) OVER (PARTITION BY score) - 1) / 2.0 AS average_rank
    FROM labelled
)
SELECT COUNT(*) FILTER (WHERE churned) AS n_churned,
       COUNT(*) FILTER (WHERE NOT churned) AS n_stayed,
       COALESCE(SUM(average_rank) FILTER (WHERE churned), 0) AS churned_rank_sum,
       COUNT(*) FILTER (WHERE status = 'green') AS green,
       COUNT(*) FILTER (WHERE status = 'green' AND churned) AS green_churned,
       COUNT(*) FILTER (WHERE status = 'yellow') AS yellow,
       COUNT(*) FILTER (WHERE status = 'yellow' AND churned) AS yellow_churned,
       COUNT(*) FILTER (WHERE status = 'red') AS red,
       COUNT(*) FILTER (WHERE status = 'red' AND churned) AS red_churned
FROM ranked;
