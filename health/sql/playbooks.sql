-- The playbooks that fire on %(day)s (health.models.playbooks), set-based over every account, and their tasks.
-- Only active playbooks made on or before the day fire. Occurrences: turned red on the day (_turned_red, made by
-- the pipeline from the stored rows), an at-risk episode that starts on the day, a term end t = day + N of a
-- span active on the day (METRICS.md `renewals_due`: keel_term_end_in_month, accounts/migrations/0016, the one
-- rule of term ends), the account's first day with MRR > 0 (its
-- first paid span starts on the day), an NPS answer of 0–6 given on the day (local date in %(tz)s).
-- A run is made once per (playbook, account, occurrence): a rerun of the day makes none, so it opens no task.
-- Each new run opens one task per step of its playbook, for the account's CSM or %(fallback_id)s without one.
-- in: _turned_red, health_playbook, health_playbookstep, health_atriskepisode, accounts_subscriptionspan, accounts_surveyresponse, accounts_account
-- out: health_playbookrun, health_task
-- params: day, tz, fallback_id
WITH active AS (
    SELECT p.id, p.trigger, p.days
    FROM health_playbook p
    WHERE p.is_active AND (p.created_at AT TIME ZONE %(tz)s)::date <= %(day)s::date
),
fired AS (
    SELECT p.id AS playbook_id, r.account_id, %(day)s::date::text AS occurrence
    FROM active p JOIN _turned_red r ON p.trigger = 'turned_red'
    UNION ALL
    SELECT p.id, e.account_id, %(day)s::date::text
    FROM active p JOIN health_atriskepisode e ON p.trigger = 'at_risk' AND e.started_on = %(day)s::date
    UNION ALL
    SELECT p.id, s.account_id, s.subscription_id || '@' || t.t::text
    FROM active p
    JOIN accounts_subscriptionspan s
      ON p.trigger = 'renewal' AND (s.interval IN ('year', 'quarter') OR s.term <> '')
     AND s.starts_on <= %(day)s::date AND (s.ends_on IS NULL OR %(day)s::date < s.ends_on)
    CROSS JOIN LATERAL (SELECT %(day)s::date + p.days AS t) t
    WHERE keel_term_end_in_month(
        s.starts_on, s.ends_on, s.interval, s.renews_on, s.term, date_trunc('month', t.t)::date
    ) = t.t
    UNION ALL
    SELECT p.id, f.account_id, %(day)s::date::text
    FROM active p
    JOIN (
        SELECT DISTINCT s.account_id
        FROM accounts_subscriptionspan s
        WHERE s.starts_on = %(day)s::date AND s.amount > 0 AND (s.ends_on IS NULL OR s.starts_on < s.ends_on)
          AND NOT EXISTS (
              SELECT 1 FROM accounts_subscriptionspan b
              WHERE b.account_id = s.account_id AND b.starts_on < %(day)s::date AND b.amount > 0
                AND (b.ends_on IS NULL OR b.starts_on < b.ends_on)
          )
    ) f ON p.trigger = 'onboarding'
    UNION ALL
    SELECT p.id, r.account_id, 'response:' || r.id
    FROM active p
    JOIN accounts_surveyresponse r
      ON p.trigger = 'detractor' AND r.kind = 'nps' AND r.score BETWEEN 0 AND 6
     AND r.responded_at >= (%(day)s::date::timestamp AT TIME ZONE %(tz)s)
     AND r.responded_at < ((%(day)s::date + 1)::timestamp AT TIME ZONE %(tz)s)
),
runs AS (
    INSERT INTO health_playbookrun (playbook_id, account_id, occurrence, fired_on, created_at)
    SELECT DISTINCT playbook_id, account_id, occurrence, %(day)s::date, now() FROM fired
    ON CONFLICT DO NOTHING
    RETURNING id, playbook_id, account_id, occurrence
)
INSERT INTO health_task
    (account_id, assignee_id, kind, playbook_run_id, title, description, priority, reason, due_on, created_at,
     close_note)
SELECT r.account_id, COALESCE(a.csm_id, %(fallback_id)s), 'playbook', r.id, st.title, st.description, st.priority,
       jsonb_build_object('kind', 'playbook', 'playbook', p.name, 'trigger', p.trigger, 'days', p.days,
                          'day', %(day)s::date::text, 'occurrence', r.occurrence),
       %(day)s::date + st.offset_days, now(), ''
FROM runs r
JOIN health_playbook p ON p.id = r.playbook_id
JOIN health_playbookstep st ON st.playbook_id = p.id
JOIN accounts_account a ON a.id = r.account_id
ORDER BY r.account_id, p.name, st.position
RETURNING id;
