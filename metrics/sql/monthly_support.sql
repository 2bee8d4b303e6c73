-- METRICS.md "Support": tickets created and resolved in the month (local dates), median first response and
-- resolution hours, first-contact resolution, and tickets open at the end of as_of (by resolved_at only).
-- in: _months, _owner_at, accounts_account, accounts_ticket
-- out: _kpi_support
-- params: tz
CREATE TEMP TABLE _kpi_support ON COMMIT DROP AS
WITH windows AS (
    SELECT month, as_of,
           (month::timestamp AT TIME ZONE %(tz)s) AS month_from,
           ((as_of + 1)::timestamp AT TIME ZONE %(tz)s) AS until
    FROM _months
),
tickets AS (
    SELECT w.month, w.as_of, t.account_id,
           t.created_at >= w.month_from AS created_in_month,
           t.resolved_at >= w.month_from AND t.resolved_at < w.until AS resolved_in_month,
           (t.resolved_at IS NULL OR t.resolved_at >= w.until) AS open_at_end,
           EXTRACT(EPOCH FROM t.first_response_at - t.created_at) / 3600 AS first_response_hours,
           EXTRACT(EPOCH FROM t.resolved_at - t.created_at) / 3600 AS resolution_hours,
           t.replies
    FROM windows w
    JOIN accounts_ticket t ON t.created_at < w.until
    WHERE t.created_at >= w.month_from OR t.resolved_at IS NULL OR t.resolved_at >= w.month_from
),
grouped AS (
    SELECT t.month,
           CASE GROUPING(o.csm_id, acc.segment) WHEN 0 THEN 'csm_segment' WHEN 1 THEN 'csm' WHEN 2 THEN 'segment' ELSE 'company' END
               AS scope,
           o.csm_id, acc.segment,
           COUNT(*) FILTER (WHERE created_in_month) AS tickets_created,
           COUNT(*) FILTER (WHERE resolved_in_month) AS tickets_resolved,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY first_response_hours)
               FILTER (WHERE created_in_month AND first_response_hours IS NOT NULL) AS median_first_response_hours,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY resolution_hours)
               FILTER (WHERE resolved_in_month) AS median_resolution_hours,
           COUNT(*) FILTER (WHERE resolved_in_month AND replies <= 1) AS fcr_resolved,
           COUNT(*) FILTER (WHERE resolved_in_month AND replies IS NOT NULL) AS fcr_known,
           COUNT(*) FILTER (WHERE open_at_end) AS open_tickets
    FROM tickets t
    LEFT JOIN _owner_at o ON o.account_id = t.account_id AND o.pt = t.as_of
    JOIN accounts_account acc ON acc.id = t.account_id
    GROUP BY GROUPING SETS ((t.month), (t.month, o.csm_id), (t.month, acc.segment), (t.month, o.csm_id, acc.segment))
)
SELECT * FROM grouped;
