-- One row per month and group (METRICS.md "Breakdowns") into _groups: the company; every CSM of the team and
-- every owner of an account at as_of (null = accounts without an owner); every current segment of an account
-- (null = accounts without a segment); and every (owner, segment) pair of an account, which is a CSM's own
-- book by segment. Each KPI family computes its columns for these groups; monthly_store.sql joins them.
-- in: _months, _owner_at, accounts_account, accounts_user
-- out: _groups
CREATE TEMP TABLE _groups ON COMMIT DROP AS
SELECT m.month, 'company' AS scope, NULL::bigint AS csm_id, NULL::varchar AS segment, m.as_of FROM _months m
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
