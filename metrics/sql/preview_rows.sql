-- The rows the Health page's preview re-weights for the days %(days)s (the latest computed day and the day the
-- active model's drop rule compares with): every account scored on d, with its ARR and stored components, copied
-- into the narrow metrics_previewrow, where a day's rows lie together instead of on thousands of pages.
-- in: metrics_accountday
-- out: metrics_previewrow
-- params: days
DELETE FROM metrics_previewrow WHERE day = ANY(%(days)s::date[]);
INSERT INTO metrics_previewrow
    (day, account_id, arr, stage, activity, adoption, sentiment, support, revenue, recency, revenue_trend)
SELECT day, account_id, arr, stage, activity, adoption, sentiment, support, revenue, recency, revenue_trend
FROM metrics_accountday
WHERE day = ANY(%(days)s::date[]) AND score IS NOT NULL
ORDER BY day, account_id;
