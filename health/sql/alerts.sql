-- At-risk episodes (health.AtRiskEpisode) on %(day)s, from _risk_rows: the stored daily rows of the accounts at
-- risk that day or with an episode open, on the %(days)s + 1 days ending that day and on the day their model's
-- drop rule compared with (the pipeline copies them, metrics/sql/risk_rows.sql). A missing row is a day without
-- MRR and without use: not at risk.
-- First the open episodes that are over: after %(days)s days in a row not at risk (two windows, the days ending
-- on `day` and those ending the day before, in case yesterday's run did not happen), or at a day without MRR.
-- Then a new episode for every account at risk on the day without one open, and its task for the account's CSM
-- (or %(fallback_id)s, the team's fallback owner, for an account without one) with the reason as data
-- (health.reasons: red, or the drop of the model the day was scored with).
-- in: _risk_rows, accounts_account, health_healthmodel
-- out: health_atriskepisode, health_task
-- params: day, days, due_on, fallback_id
UPDATE health_atriskepisode e
SET ended_on = CASE WHEN NOT paying THEN %(day)s::date
                    WHEN NOT at_risk_before THEN %(day)s::date - 1
                    ELSE %(day)s::date END,
    end_reason = CASE WHEN NOT paying THEN 'churned' ELSE 'recovered' END
FROM (
    SELECT o.id,
           EXISTS (SELECT 1 FROM _risk_rows d
                   WHERE d.account_id = o.account_id AND d.day = %(day)s::date AND d.arr > 0) AS paying,
           EXISTS (SELECT 1 FROM _risk_rows d
                   WHERE d.account_id = o.account_id AND d.at_risk
                     AND d.day BETWEEN %(day)s::date - %(days)s AND %(day)s::date - 1) AS at_risk_before,
           EXISTS (SELECT 1 FROM _risk_rows d
                   WHERE d.account_id = o.account_id AND d.at_risk
                     AND d.day BETWEEN %(day)s::date - %(days)s + 1 AND %(day)s::date) AS at_risk_lately
    FROM health_atriskepisode o
    WHERE o.ended_on IS NULL AND o.started_on < %(day)s::date
) c
WHERE e.id = c.id AND NOT (c.paying AND c.at_risk_before AND c.at_risk_lately);
WITH started AS (
    INSERT INTO health_atriskepisode (account_id, started_on, end_reason)
    SELECT d.account_id, d.day, ''
    FROM _risk_rows d
    WHERE d.day = %(day)s::date AND d.at_risk AND d.score IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM health_atriskepisode o WHERE o.account_id = d.account_id AND o.ended_on IS NULL)
    ON CONFLICT DO NOTHING
    RETURNING id, account_id, started_on
)
INSERT INTO health_task
    (account_id, assignee_id, kind, episode_id, title, reason, due_on, created_at, close_note)
SELECT s.account_id, COALESCE(a.csm_id, %(fallback_id)s), 'at_risk', s.id, a.name || ' is at risk',
       jsonb_build_object('kind', 'at_risk', 'score', d.score, 'red', d.status = 'red',
                          'yellow_min', m.yellow_min, 'drop_points', m.drop_points, 'drop_days', m.drop_days,
                          'before', b.score),
       %(due_on)s::date, now(), ''
FROM started s
JOIN accounts_account a ON a.id = s.account_id
JOIN _risk_rows d ON d.account_id = s.account_id AND d.day = s.started_on
JOIN health_healthmodel m ON m.id = d.health_model_id
LEFT JOIN _risk_rows b ON b.account_id = s.account_id AND b.day = s.started_on - m.drop_days AND b.score IS NOT NULL
RETURNING id;
