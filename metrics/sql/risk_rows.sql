-- What the at-risk alerts of %(day)s read (health/sql/alerts.sql): the stored daily rows of the accounts at risk
-- that day or with an episode open, on the %(days)s + 1 days ending that day, and the row of the day the drop rule
-- of each at-risk account's model compared with, when it lies further back.
-- in: metrics_accountday, health_atriskepisode, health_healthmodel
-- out: _risk_rows
-- params: day, days
CREATE TEMP TABLE _risk_rows ON COMMIT DROP AS
WITH watched AS (
    SELECT account_id FROM metrics_accountday WHERE day = %(day)s::date AND at_risk AND score IS NOT NULL
    UNION
    SELECT account_id FROM health_atriskepisode WHERE ended_on IS NULL
)
SELECT d.account_id, d.day, d.arr, d.score, d.status, d.at_risk, d.health_model_id
FROM watched w
JOIN metrics_accountday d ON d.account_id = w.account_id AND d.day BETWEEN %(day)s::date - %(days)s AND %(day)s::date
UNION ALL
SELECT b.account_id, b.day, b.arr, b.score, b.status, b.at_risk, b.health_model_id
FROM metrics_accountday d
JOIN health_healthmodel m ON m.id = d.health_model_id
JOIN metrics_accountday b ON b.account_id = d.account_id AND b.day = d.day - m.drop_days
WHERE d.day = %(day)s::date AND d.at_risk AND d.score IS NOT NULL AND m.drop_days > %(days)s;
ALTER TABLE _risk_rows ADD PRIMARY KEY (account_id, day);
ANALYZE _risk_rows;
