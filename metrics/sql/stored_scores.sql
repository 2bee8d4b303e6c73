-- The stored scores of the days in %(stored_before)s for the account range: what the drop rule of a scattered day
-- (the nightly day) compares with when the day drop_days before has its snapshot already and is not computed
-- again (health/sql/health_scores.sql reads them).
-- in: metrics_accountday
-- out: _stored_before
-- params: stored_before, account_lo, account_hi
CREATE TEMP TABLE _stored_before ON COMMIT DROP AS
SELECT account_id, day, score
FROM metrics_accountday
WHERE day = ANY(%(stored_before)s::date[]) AND score IS NOT NULL
  AND account_id BETWEEN %(account_lo)s AND %(account_hi)s;
ALTER TABLE _stored_before ADD PRIMARY KEY (account_id, day);
