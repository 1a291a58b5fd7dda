-- Unresolved alerts by severity, most severe first (suppressed duplicates not counted).
-- Parameters: none.
-- Returns: severity, unresolved, unacknowledged, snoozed (unresolved and snoozed until after the
--   database's now: out of the queue until then).
SELECT s.severity,
       count(a.alert_id) AS unresolved,
       count(a.alert_id) FILTER (WHERE a.acknowledged_at IS NULL) AS unacknowledged,
       count(a.alert_id) FILTER (WHERE a.snoozed_until > now() AT TIME ZONE 'UTC') AS snoozed
FROM (VALUES (1, 'critical'), (2, 'high'), (3, 'medium'), (4, 'low')) AS s(rank, severity)
LEFT JOIN alerts a ON a.severity = s.severity AND a.resolved_at IS NULL AND NOT a.suppressed
GROUP BY s.rank, s.severity
ORDER BY s.rank;
