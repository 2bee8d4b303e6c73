-- The forecast's renewals (metrics_renewaldue) summed per month of term end and status, for the company and per
-- owner, so its page reads a few dozen rows.
-- in: metrics_renewaldue
-- out: metrics_renewalmonth
DELETE FROM metrics_renewalmonth;
INSERT INTO metrics_renewalmonth (month, status, company, csm_id, renewals, arr)
SELECT date_trunc('month', term_end)::date, status, GROUPING(csm_id) = 1, csm_id, COUNT(*), SUM(arr)
FROM metrics_renewaldue
GROUP BY GROUPING SETS ((date_trunc('month', term_end)::date, status),
                        (date_trunc('month', term_end)::date, status, csm_id));
