-- How resolved alerts of each type were resolved; false-positive rate = false_positives / resolved.
-- Suppressed duplicates are left out (each incident counts once).
-- Parameters: weeks int (alerts raised since the start of the week that many weeks back; NULL = all).
-- Returns: alert_type, resolved, false_positives, fixed, ignored, escalated.
SELECT a.alert_type,
       count(*) AS resolved,
       count(*) FILTER (WHERE a.resolution_action = 'false_positive') AS false_positives,
       count(*) FILTER (WHERE a.resolution_action = 'fixed') AS fixed,
       count(*) FILTER (WHERE a.resolution_action = 'ignored') AS ignored,
       count(*) FILTER (WHERE a.resolution_action = 'escalated') AS escalated
FROM alerts a
WHERE a.resolved_at IS NOT NULL AND NOT a.suppressed
  AND (CAST(:weeks AS int) IS NULL
       OR a.triggered_at >= date_trunc('week', now() AT TIME ZONE 'UTC') - make_interval(weeks => CAST(:weeks AS int)))
GROUP BY a.alert_type
ORDER BY a.alert_type;
