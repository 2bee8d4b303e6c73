-- One row per month and group, before any KPI family fills it in (METRICS.md "Breakdowns"):
-- the company; every CSM of the team and every owner of an account at as_of (null = accounts without an
-- owner); every current segment of an account (null = accounts without a segment); and every (owner,
-- segment) pair of an account, which is a CSM's own book by segment.
INSERT INTO metrics_monthlykpi (month, scope, csm_id, segment, as_of)
SELECT m.month, 'company', NULL, NULL, m.as_of FROM _months m
UNION ALL
SELECT g.month, 'csm', g.csm_id, NULL, g.as_of
FROM (
    SELECT m.month, m.as_of, o.csm_id
    FROM _months m
    CROSS JOIN accounts_account acc
    LEFT JOIN _owner_at o ON o.account_id = acc.id AND o.pt = m.as_of
    UNION
    SELECT m.month, m.as_of, u.id FROM _months m, accounts_user u WHERE u.role = 'csm' AND u.is_active
) g
UNION ALL
SELECT m.month, 'segment', NULL, s.segment, m.as_of
FROM _months m, (SELECT DISTINCT segment FROM accounts_account) s
UNION ALL
SELECT DISTINCT m.month, 'csm_segment', o.csm_id, acc.segment, m.as_of
FROM _months m
CROSS JOIN accounts_account acc
LEFT JOIN _owner_at o ON o.account_id = acc.id AND o.pt = m.as_of;
