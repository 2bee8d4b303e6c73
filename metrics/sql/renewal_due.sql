-- The renewal forecast's rows (metrics_renewaldue) as of %(day)s: every term end t with %(day)s < t ≤ %(until)s of
-- a span active on %(day)s (METRICS.md `renewals_due`; keel_term_end_in_month, accounts/migrations/0016: from
-- renews_on or starts_on by the term or the yearly or quarterly interval, due while the span is active on t − 1),
-- with the span's ARR, the account's status in the latest snapshot ('' unscored) and its owner now. One term end
-- a month at most: the months tried are those from %(day)s's to %(until)s's.
-- in: accounts_subscriptionspan, accounts_account, metrics_accountcurrent
-- out: metrics_renewaldue
-- params: day, until
DELETE FROM metrics_renewaldue;
INSERT INTO metrics_renewaldue (as_of, term_end, account_id, subscription_id, csm_id, status, arr)
SELECT %(day)s::date, t.t, s.account_id, s.subscription_id, a.csm_id, COALESCE(c.status, ''), s.annual_amount
FROM accounts_subscriptionspan s
JOIN accounts_account a ON a.id = s.account_id
LEFT JOIN metrics_accountcurrent c ON c.account_id = s.account_id
CROSS JOIN generate_series(date_trunc('month', %(day)s::date), date_trunc('month', %(until)s::date), '1 month') AS m(m)
CROSS JOIN LATERAL (
    SELECT keel_term_end_in_month(s.starts_on, s.ends_on, s.interval, s.renews_on, s.term, m.m::date) AS t
) t
WHERE (s.interval IN ('year', 'quarter') OR s.term <> '')
  AND s.starts_on <= %(day)s::date AND (s.ends_on IS NULL OR %(day)s::date < s.ends_on)
  AND t.t > %(day)s::date AND t.t <= %(until)s::date;
