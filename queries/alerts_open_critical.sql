-- The badge: open (unresolved) critical alerts, suppressed duplicates not counted, and the newest
-- one's id (alert ids only grow, so a larger id than last time means a new critical alert).
-- Parameters: none.
-- Returns one row: open_critical, newest_alert_id (NULL when there is none).
SELECT count(*) AS open_critical, max(a.alert_id) AS newest_alert_id
FROM alerts a
WHERE a.resolved_at IS NULL AND a.severity = 'critical' AND NOT a.suppressed;
