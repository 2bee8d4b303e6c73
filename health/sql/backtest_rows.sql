-- The rows of METRICS.md "Backtest" for the month-ends of _scored (the accounts scored on them with their ARR and
-- stored components, which the pipeline copies from its daily rows): each account labelled once, "churned within
-- 90 days" (MRR 0 on some day in d+1…d+90) with the first such day, or stayed. Neither depends on a model's
-- weights or thresholds, so they are kept: health_backtestrow counts the accounts of a day per distinct
-- components, churned apart from stayed, and every backtest re-weights it; health_backtestchurner keeps the
-- churned accounts themselves with their ARR on the month-end, the accounts behind those counts ("churned while
-- green"). Both are written from the one labelling below, so the rule is written once.
-- Set-based: the islands of paid days are built once (MATERIALIZED) and joined, so the cost grows with
-- account-months, not with their square.
-- in: _scored, accounts_subscriptionspan
-- out: health_backtestrow, health_backtestchurner
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
),
labelled AS MATERIALIZED (
    -- the island that covers d+1, if any (islands of one account are disjoint: at most one, so the join adds no
    -- rows); it stayed when that island lasts through d+90 (ends, the first day without MRR, after d+90), else
    -- it churned on the island's end, or on d+1 when no island covers d+1
    SELECT s.*, CASE WHEN i.ends >= s.day + 91 THEN NULL ELSE COALESCE(i.ends, s.day + 1) END AS churned_on
    FROM _scored s
    LEFT JOIN islands i ON i.account_id = s.account_id AND i.starts <= s.day + 1 AND i.ends > s.day + 1
),
churners AS (
    INSERT INTO health_backtestchurner
        (day, account_id, arr, activity, adoption, sentiment, support, revenue, recency, revenue_trend, churned_on)
    SELECT day, account_id, arr, activity, adoption, sentiment, support, revenue, recency, revenue_trend,
           churned_on
    FROM labelled
    WHERE churned_on IS NOT NULL
)
INSERT INTO health_backtestrow
    (day, activity, adoption, sentiment, support, revenue, recency, revenue_trend, churned, stayed)
SELECT day, activity, adoption, sentiment, support, revenue, recency, revenue_trend,
       COUNT(*) FILTER (WHERE churned_on IS NOT NULL), COUNT(*) FILTER (WHERE churned_on IS NULL)
FROM labelled
GROUP BY day, activity, adoption, sentiment, support, revenue, recency, revenue_trend;
