-- The rows the Health page's preview re-weights for the days %(days)s (the latest computed day and the days the
-- drop rule compares with): every account scored on d, with its ARR and stored components, copied into the
-- narrow health_previewrow, where a day's rows lie together instead of one to a page of metrics_accountday, with
-- the bits of the components present (1 << i for COMPONENTS[i]: activity, adoption, sentiment, support, revenue,
-- recency) that pick the score's denominator (health.sql.reweighted_score).
INSERT INTO health_previewrow (day, account_id, arr, activity, adoption, sentiment, support, revenue, recency,
                               present)
SELECT h.day, h.account_id, h.arr, h.activity, h.adoption, h.sentiment, h.support, h.revenue, h.recency,
       (CASE WHEN h.activity IS NULL THEN 0 ELSE 1 END + CASE WHEN h.adoption IS NULL THEN 0 ELSE 2 END
        + CASE WHEN h.sentiment IS NULL THEN 0 ELSE 4 END + CASE WHEN h.support IS NULL THEN 0 ELSE 8 END
        + CASE WHEN h.revenue IS NULL THEN 0 ELSE 16 END + CASE WHEN h.recency IS NULL THEN 0 ELSE 32 END)
FROM metrics_accountday h
WHERE h.day = ANY (%(days)s::date[]) AND h.score IS NOT NULL
ORDER BY h.day, h.account_id;
