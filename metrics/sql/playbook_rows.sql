-- What the playbooks of %(day)s read besides the raw facts (health/sql/playbooks.sql): the accounts that turned
-- red on the day, red on it and scored but not red on the day before.
-- in: metrics_accountday
-- out: _turned_red
-- params: day
CREATE TEMP TABLE _turned_red ON COMMIT DROP AS
SELECT d.account_id
FROM metrics_accountday d
JOIN metrics_accountday p ON p.day = d.day - 1 AND p.account_id = d.account_id
WHERE d.day = %(day)s::date AND d.status = 'red' AND p.score IS NOT NULL AND p.status <> 'red';
ALTER TABLE _turned_red ADD PRIMARY KEY (account_id);
