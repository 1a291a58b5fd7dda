-- Unresolved alerts by severity, most severe first (suppressed duplicates not counted).
-- Parameters: none.
-- Returns: severity, unresolved, unacknowledged.
SELECT s.severity,
       count(a.alert_id) AS unresolved,
       count(a.alert_id) FILTER (WHERE a.acknowledged_at IS NULL) AS unacknowledged
FROM (VALUES (1, 'critical'), (2, 'high'), (3, 'medium'), (4, 'low')) AS s(rank, severity)
LEFT JOIN alerts a ON a.severity = s.severity AND a.resolved_at IS NULL AND NOT a.suppressed
GROUP BY s.rank, s.severity
ORDER BY s.rank;
