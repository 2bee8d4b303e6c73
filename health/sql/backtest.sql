-- METRICS.md "Backtest" of one model over the month-ends %(days)s, from health_backtestrow (its components and
-- labels, see backtest_rows.sql). Scores are computed from the components with the model's weights by the
-- function that scores the pipeline's rows (keel_health_score), so the active model reproduces the stored
-- scores, and rounded to 4 decimals, so that ties are exact. Returns, with %(by_month)s, one row per month-end
-- (ordered by day), else one row with a null day: its scored/churned counts per status, and, pooled over every
-- month-end (the same on each row), 2 × the number of (churner, stayer) pairs in which the churner scores lower
-- (a tie counts ½, hence the 2 ×); the pooled counts are the sums of the rows'. Without backtest rows, one row
-- with a null day and zeros. Month by month costs a third more (distinct scores per day, not overall), so only
-- the page that charts the months asks for them.
-- Set-based and sort-light: each row stands for the accounts of a day with the same components; they are counted
-- per unrounded score (and day, by month: a hash over floats), only those distinct scores are rounded, and the
-- pairs come from a running count of stayers over the distinct rounded scores: no sort or ranking of every
-- account.
-- in: health_backtestrow
-- out:
-- params: days, by_month, weights, denominators, green_min, yellow_min
WITH raw AS (
    SELECT CASE WHEN %(by_month)s THEN r.day END AS day,
           keel_health_score(r.activity, r.adoption, r.sentiment, r.support, r.revenue, r.recency, r.revenue_trend,
                             %(weights)s::float8[], %(denominators)s::float8[]) AS score,
           r.churned, r.stayed
    FROM health_backtestrow r
    WHERE r.day = ANY (%(days)s::date[])
),
per_raw AS (
    SELECT day, score, SUM(churned)::int AS churned, SUM(stayed)::int AS stayed
    FROM raw
    WHERE score IS NOT NULL  -- every weight of the components present is 0: no score
    GROUP BY day, score
),
statused AS MATERIALIZED (
    SELECT day, round(score::numeric, 4) AS score, keel_health_status(score, %(green_min)s, %(yellow_min)s) AS status,
           churned, stayed
    FROM per_raw
),
per_day AS (
    SELECT day,
           SUM(churned + stayed) FILTER (WHERE status = 'green') AS green,
           SUM(churned) FILTER (WHERE status = 'green') AS green_churned,
           SUM(churned + stayed) FILTER (WHERE status = 'yellow') AS yellow,
           SUM(churned) FILTER (WHERE status = 'yellow') AS yellow_churned,
           SUM(churned + stayed) FILTER (WHERE status = 'red') AS red,
           SUM(churned) FILTER (WHERE status = 'red') AS red_churned
    FROM statused
    GROUP BY day
),
per_score AS (
    SELECT score, SUM(churned) AS churned, SUM(stayed) AS stayed
    FROM statused
    GROUP BY score
),
running AS (
    SELECT *, SUM(stayed) OVER () - SUM(stayed) OVER (ORDER BY score) AS stayed_above
    FROM per_score
),
pairs AS (
    SELECT COALESCE(SUM(churned * (2 * stayed_above + stayed)), 0) AS twice_lower_pairs FROM running
)
SELECT d.day, p.twice_lower_pairs,
       COALESCE(d.green, 0), COALESCE(d.green_churned, 0),
       COALESCE(d.yellow, 0), COALESCE(d.yellow_churned, 0),
       COALESCE(d.red, 0), COALESCE(d.red_churned, 0)
FROM pairs p
LEFT JOIN per_day d ON true
ORDER BY d.day;
