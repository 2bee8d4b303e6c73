-- METRICS.md "Product usage", company monthly fields: active_accounts and the customers per event name
-- (feature_adoption = that / customers) in the 30 days ending at as_of, and time_to_value_days.
-- Reads the usage rollups (metrics_usageeventday, metrics_firsteventday), not the raw events.
-- in: _arr_at, _months, _owner_at, accounts_account, accounts_subscriptionspan, metrics_firsteventday, metrics_usageeventday
-- out: _kpi_usage
-- params: activation_event
CREATE TEMP TABLE _kpi_usage ON COMMIT DROP AS
WITH windows AS (
    SELECT month, as_of, as_of - 29 AS from_day FROM _months
),
customer_events AS (
    -- the events of each window first (a range of the rollup's key), then only the paying accounts
    SELECT we.month, we.as_of, we.account_id, we.event
    FROM (
        SELECT DISTINCT w.month, w.as_of, e.account_id, e.event
        FROM windows w
        JOIN metrics_usageeventday e ON e.day BETWEEN w.from_day AND w.as_of
    ) we
    JOIN _arr_at a ON a.pt = we.as_of AND a.account_id = we.account_id AND a.arr > 0
),
per_event AS (
    SELECT ce.month,
           CASE GROUPING(o.csm_id, acc.segment) WHEN 0 THEN 'csm_segment' WHEN 1 THEN 'csm' WHEN 2 THEN 'segment' ELSE 'company' END
               AS scope,
           o.csm_id, acc.segment, ce.event, COUNT(*) AS customers
    FROM customer_events ce
    LEFT JOIN _owner_at o ON o.account_id = ce.account_id AND o.pt = ce.as_of
    JOIN accounts_account acc ON acc.id = ce.account_id
    GROUP BY GROUPING SETS ((ce.month, ce.event), (ce.month, o.csm_id, ce.event), (ce.month, acc.segment, ce.event), (ce.month, o.csm_id, acc.segment, ce.event))
),
adoption AS (
    SELECT month, scope, csm_id, segment, jsonb_object_agg(event, customers ORDER BY event) AS feature_customers
    FROM per_event
    GROUP BY month, scope, csm_id, segment
),
active AS (
    SELECT c.month,
           CASE GROUPING(o.csm_id, acc.segment) WHEN 0 THEN 'csm_segment' WHEN 1 THEN 'csm' WHEN 2 THEN 'segment' ELSE 'company' END
               AS scope,
           o.csm_id, acc.segment, COUNT(*) AS active_accounts
    FROM (SELECT DISTINCT month, as_of, account_id FROM customer_events) c
    LEFT JOIN _owner_at o ON o.account_id = c.account_id AND o.pt = c.as_of
    JOIN accounts_account acc ON acc.id = c.account_id
    GROUP BY GROUPING SETS ((c.month), (c.month, o.csm_id), (c.month, acc.segment), (c.month, o.csm_id, acc.segment))
),
first_paid_day AS (
    SELECT account_id, MIN(starts_on) AS day
    FROM accounts_subscriptionspan
    WHERE amount > 0
    GROUP BY account_id
),
activation AS (
    SELECT account_id, MIN(day) AS day
    FROM metrics_firsteventday
    WHERE %(activation_event)s = '' OR event = %(activation_event)s
    GROUP BY account_id
),
time_to_value AS (
    SELECT w.month,
           CASE GROUPING(o.csm_id, acc.segment) WHEN 0 THEN 'csm_segment' WHEN 1 THEN 'csm' WHEN 2 THEN 'segment' ELSE 'company' END
               AS scope,
           o.csm_id, acc.segment,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY GREATEST(act.day - paid.day, 0)) AS days
    FROM windows w
    JOIN activation act ON act.day BETWEEN w.month AND w.as_of
    JOIN first_paid_day paid ON paid.account_id = act.account_id AND paid.day <= w.as_of
    LEFT JOIN _owner_at o ON o.account_id = act.account_id AND o.pt = w.as_of
    JOIN accounts_account acc ON acc.id = act.account_id
    GROUP BY GROUPING SETS ((w.month), (w.month, o.csm_id), (w.month, acc.segment), (w.month, o.csm_id, acc.segment))
),
usage AS (
    SELECT COALESCE(a.month, d.month, t.month) AS month,
           COALESCE(a.scope, d.scope, t.scope) AS scope,
           COALESCE(a.csm_id, d.csm_id, t.csm_id) AS csm_id,
           COALESCE(a.segment, d.segment, t.segment) AS segment,
           a.active_accounts, d.feature_customers, t.days
    -- the COALESCEs make the joins hashable (as in monthly_store.sql); IS NOT DISTINCT FROM keeps null and '' apart
    FROM active a
    FULL JOIN adoption d
      ON d.month = a.month AND d.scope = a.scope
     AND COALESCE(d.csm_id, 0) = COALESCE(a.csm_id, 0) AND COALESCE(d.segment, '') = COALESCE(a.segment, '')
     AND d.csm_id IS NOT DISTINCT FROM a.csm_id AND d.segment IS NOT DISTINCT FROM a.segment
    FULL JOIN time_to_value t
      ON t.month = COALESCE(a.month, d.month) AND t.scope = COALESCE(a.scope, d.scope)
     AND COALESCE(t.csm_id, 0) = COALESCE(a.csm_id, d.csm_id, 0)
     AND COALESCE(t.segment, '') = COALESCE(a.segment, d.segment, '')
     AND t.csm_id IS NOT DISTINCT FROM COALESCE(a.csm_id, d.csm_id)
     AND t.segment IS NOT DISTINCT FROM COALESCE(a.segment, d.segment)
)
SELECT u.month, u.scope, u.csm_id, u.segment,
       COALESCE(u.active_accounts, 0) AS active_accounts,
       COALESCE(u.feature_customers, '{}'::jsonb) AS feature_customers,
       u.days AS time_to_value_days
FROM usage u;
