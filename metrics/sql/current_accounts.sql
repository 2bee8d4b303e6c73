-- Every account as of the latest computed day (metrics_accountcurrent), for the account list: its ARR, usage
-- and health that day, and METRICS.md "health change" (score on d − score on d − 30 days, null when not scored
-- then), and its lifecycle stage (keel_account_stage). Accounts without a row that day (not paying, not used)
-- get zeros, and the stage churned when they paid before.
-- in: accounts_account, accounts_subscriptionspan, metrics_accountday
-- out: metrics_accountcurrent
-- params: day, onboarding_days, mature_days
INSERT INTO metrics_accountcurrent
    (account_id, day, arr, dau, mau, score, status, at_risk, score_change_30d, stage)
SELECT a.id, %(day)s::date, COALESCE(d.arr, 0), COALESCE(d.dau, 0), COALESCE(d.mau, 0), d.score,
       COALESCE(d.status, ''), COALESCE(d.at_risk, false), d.score - before.score,
       keel_account_stage(COALESCE(d.arr, 0), p.first_paid, %(day)s::date, %(onboarding_days)s, %(mature_days)s)
FROM accounts_account a
LEFT JOIN metrics_accountday d ON d.account_id = a.id AND d.day = %(day)s::date
LEFT JOIN metrics_accountday before ON before.account_id = a.id AND before.day = %(day)s::date - 30
LEFT JOIN (
    SELECT account_id, MIN(starts_on) AS first_paid FROM accounts_subscriptionspan WHERE annual_amount > 0
    GROUP BY account_id
) p ON p.account_id = a.id
ON CONFLICT (account_id) DO UPDATE
SET day = excluded.day, arr = excluded.arr, dau = excluded.dau, mau = excluded.mau, score = excluded.score,
    status = excluded.status, at_risk = excluded.at_risk, score_change_30d = excluded.score_change_30d,
    stage = excluded.stage
WHERE (metrics_accountcurrent.day, metrics_accountcurrent.arr, metrics_accountcurrent.dau,
       metrics_accountcurrent.mau, metrics_accountcurrent.score, metrics_accountcurrent.status,
       metrics_accountcurrent.at_risk, metrics_accountcurrent.score_change_30d, metrics_accountcurrent.stage)
      IS DISTINCT FROM (excluded.day, excluded.arr, excluded.dau, excluded.mau, excluded.score, excluded.status,
                        excluded.at_risk, excluded.score_change_30d, excluded.stage);
