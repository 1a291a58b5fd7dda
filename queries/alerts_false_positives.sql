-- How resolved alerts of each type were resolved; false-positive rate = false_positives / resolved.
-- Suppressed duplicates are left out (each incident counts once). Read from alert_weeks_stored (schema.sql).
-- Parameters: weeks int (alerts raised since the start of the week that many weeks back; NULL = all).
-- Returns: alert_type, resolved, false_positives, fixed, ignored, escalated.
SELECT w.alert_type,
       sum(w.resolved) AS resolved,
       sum(w.false_positives) AS false_positives,
       sum(w.fixed) AS fixed,
       sum(w.ignored) AS ignored,
       sum(w.escalated) AS escalated
FROM alert_weeks_stored w
WHERE w.week >= alerts_window_start(CAST(:weeks AS int))
GROUP BY w.alert_type
HAVING sum(w.resolved) > 0
ORDER BY w.alert_type;
