-- METRICS.md `cac`: the spend of the month (spend.csv). Company rows only: spend is company-wide.
-- in: _months, accounts_spend
-- out: _kpi_spend
CREATE TEMP TABLE _kpi_spend ON COMMIT DROP AS
SELECT s.month, 'company' AS scope, NULL::bigint AS csm_id, NULL::varchar AS segment, s.amount AS spend
FROM accounts_spend s
WHERE s.month IN (SELECT month FROM _months);
