-- METRICS.md "Backtest" of one model over the month-ends %(days)s, from health_backtestrow (its components and
-- labels, see backtest_rows.sql). Scores are computed from the components with the model's weights by the
-- function that scores the pipeline's rows (keel_health_score), so the active model reproduces the stored
-- scores, and rounded to 4 decimals, so that ties are exact. Returns one row: n_churned, n_stayed, 2 × the number
-- of (churner, stayer) pairs in which the churner scores lower (a tie counts ½, hence the 2 ×), and
-- scored/churned counts per status.
-- Set-based and sort-light: each row stands for the accounts of a day with the same components; they are counted
-- per unrounded score (a hash over floats), only those distinct scores are rounded, and the pairs come from a
-- running count of stayers over the distinct rounded scores: no sort or ranking of every account.
-- in: health_backtestrow
-- out:
-- params: days, weights, denominators, green_min, yellow_min
WITH raw AS (
    SELECT keel_health_score(r.activity, r.adoption, r.sentiment, r.support, r.revenue, r.recency, r.revenue_trend,
                             %(weights)s::float8[], %(denominators)s::float8[]) AS score,
           r.churned, r.stayed
    FROM health_backtestrow r
    WHERE r.day = ANY (%(days)s::date[])
),
per_raw AS (
    SELECT score, SUM(churned)::int AS churned, SUM(stayed)::int AS stayed
    FROM raw
    WHERE score IS NOT NULL  -- every weight of the components present is 0: no score
    GROUP BY score
),
per_score AS (
    SELECT round(score::numeric, 4) AS score, keel_health_status(score, %(green_min)s, %(yellow_min)s) AS status,
           SUM(churned)::int AS churned, SUM(stayed)::int AS stayed
    FROM per_raw
    GROUP BY 1, 2
),
running AS (
    SELECT *, SUM(stayed) OVER () - SUM(stayed) OVER (ORDER BY score) AS stayed_above
    FROM per_score
)
SELECT COALESCE(SUM(churned), 0) AS n_churned,
       COALESCE(SUM(stayed), 0) AS n_stayed,
       COALESCE(SUM(churned * (2 * stayed_above + stayed)), 0) AS twice_lower_pairs,
       COALESCE(SUM(churned + stayed) FILTER (WHERE status = 'green'), 0) AS green,
       COALESCE(SUM(churned) FILTER (WHERE status = 'green'), 0) AS green_churned,
       COALESCE(SUM(churned + stayed) FILTER (WHERE status = 'yellow'), 0) AS yellow,
       COALESCE(SUM(churned) FILTER (WHERE status = 'yellow'), 0) AS yellow_churned,
       COALESCE(SUM(churned + stayed) FILTER (WHERE status = 'red'), 0) AS red,
       COALESCE(SUM(churned) FILTER (WHERE status = 'red'), 0) AS red_churned
FROM running;
