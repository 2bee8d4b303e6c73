-- METRICS.md `cac`: the spend of the month (spend.csv). Company rows only: spend is company-wide.
UPDATE metrics_monthlykpi k
SET spend = s.amount
FROM metrics_spend s
WHERE k.scope = 'company' AND s.month = k.month AND k.month IN (SELECT month FROM _months);
