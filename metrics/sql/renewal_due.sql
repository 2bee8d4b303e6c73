-- The renewal forecast's rows (metrics_renewaldue) as of %(day)s: every term end t with %(day)s < t ≤ %(until)s of
-- a yearly or quarterly span active on %(day)s (METRICS.md `renewals_due`: t = starts_on + k × interval, k ≥ 1,
-- PostgreSQL's date + interval clamping Jan 31 + 3 months to Apr 30; due while the span is active on t − 1, so
-- t ≤ ends_on), with the span's ARR, the account's status in the latest snapshot ('' unscored) and its owner now.
-- The k tried are those from the term the day falls in to one past the horizon.
-- in: accounts_subscriptionspan, accounts_account, metrics_accountcurrent
-- out: metrics_renewaldue
-- params: day, until
DELETE FROM metrics_renewaldue;
INSERT INTO metrics_renewaldue (as_of, term_end, account_id, subscription_id, csm_id, status, arr)
SELECT %(day)s::date, t.t, s.account_id, s.subscription_id, a.csm_id, COALESCE(c.status, ''), s.annual_amount
FROM accounts_subscriptionspan s
JOIN accounts_account a ON a.id = s.account_id
LEFT JOIN metrics_accountcurrent c ON c.account_id = s.account_id
CROSS JOIN LATERAL (SELECT CASE s.interval WHEN 'year' THEN 12 ELSE 3 END AS months) step
CROSS JOIN LATERAL (
    SELECT ((extract(year FROM %(day)s::date) - extract(year FROM s.starts_on)) * 12
            + extract(month FROM %(day)s::date) - extract(month FROM s.starts_on))::int / step.months AS k0
) first
CROSS JOIN LATERAL generate_series(greatest(1, first.k0), first.k0 + 12 / step.months + 1) AS k(k)
CROSS JOIN LATERAL (SELECT (s.starts_on + make_interval(months => k.k * step.months))::date AS t) t
WHERE s.interval IN ('year', 'quarter')
  AND s.starts_on <= %(day)s::date AND (s.ends_on IS NULL OR %(day)s::date < s.ends_on)
  AND t.t > %(day)s::date AND t.t <= %(until)s::date
  AND (s.ends_on IS NULL OR t.t <= s.ends_on);
