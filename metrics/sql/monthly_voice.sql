-- METRICS.md "Customer voice": NPS, CSAT and CES counts for the month and for the 90 days ending on its last
-- day (local dates in KEEL_TIMEZONE). Every response counts; it belongs to its account's owner at as_of.
-- in: _months, _owner_at, accounts_account, accounts_surveyresponse
-- out: _kpi_voice
-- params: tz
CREATE TEMP TABLE _kpi_voice ON COMMIT DROP AS
WITH windows AS (
    SELECT month, as_of,
           (month::timestamp AT TIME ZONE %(tz)s) AS month_from,
           ((as_of - 89)::timestamp AT TIME ZONE %(tz)s) AS d90_from,
           ((as_of + 1)::timestamp AT TIME ZONE %(tz)s) AS until
    FROM _months
),
responses AS (
    SELECT w.month, w.as_of, r.account_id, r.kind, r.score,
           r.responded_at >= w.month_from AS in_month,
           r.responded_at >= w.d90_from AS in_90d
    FROM windows w
    JOIN accounts_surveyresponse r
      ON r.responded_at >= LEAST(w.month_from, w.d90_from) AND r.responded_at < w.until
),
grouped AS (
    SELECT r.month,
           CASE GROUPING(o.csm_id, acc.segment) WHEN 0 THEN 'csm_segment' WHEN 1 THEN 'csm' WHEN 2 THEN 'segment' ELSE 'company' END
               AS scope,
           o.csm_id, acc.segment,
           COUNT(*) FILTER (WHERE in_month AND kind = 'nps') AS nps_responses,
           COUNT(*) FILTER (WHERE in_month AND kind = 'nps' AND score >= 9) AS nps_promoters,
           COUNT(*) FILTER (WHERE in_month AND kind = 'nps' AND score <= 6) AS nps_detractors,
           COUNT(*) FILTER (WHERE in_month AND kind = 'csat') AS csat_responses,
           COUNT(*) FILTER (WHERE in_month AND kind = 'csat' AND score >= 4) AS csat_satisfied,
           COUNT(*) FILTER (WHERE in_month AND kind = 'ces') AS ces_responses,
           COALESCE(SUM(score) FILTER (WHERE in_month AND kind = 'ces'), 0) AS ces_score_sum,
           COUNT(*) FILTER (WHERE in_month AND kind = 'ces' AND score >= 5) AS ces_easy,
           COUNT(*) FILTER (WHERE in_90d AND kind = 'nps') AS nps_responses_90d,
           COUNT(*) FILTER (WHERE in_90d AND kind = 'nps' AND score >= 9) AS nps_promoters_90d,
           COUNT(*) FILTER (WHERE in_90d AND kind = 'nps' AND score <= 6) AS nps_detractors_90d,
           COUNT(*) FILTER (WHERE in_90d AND kind = 'csat') AS csat_responses_90d,
           COUNT(*) FILTER (WHERE in_90d AND kind = 'csat' AND score >= 4) AS csat_satisfied_90d,
           COUNT(*) FILTER (WHERE in_90d AND kind = 'ces') AS ces_responses_90d,
           COALESCE(SUM(score) FILTER (WHERE in_90d AND kind = 'ces'), 0) AS ces_score_sum_90d,
           COUNT(*) FILTER (WHERE in_90d AND kind = 'ces' AND score >= 5) AS ces_easy_90d
    FROM (SELECT *, true AS responded_at_in_90d FROM responses) r
    LEFT JOIN _owner_at o ON o.account_id = r.account_id AND o.pt = r.as_of
    JOIN accounts_account acc ON acc.id = r.account_id
    GROUP BY GROUPING SETS ((r.month), (r.month, o.csm_id), (r.month, acc.segment), (r.month, o.csm_id, acc.segment))
)
SELECT * FROM grouped;
