-- One alert, everything about it, JSON columns as indented text.
-- Parameters: alert_id int.
-- Returns zero or one row: alert_id, alert_type, severity, category, component, environment,
--   message, details, source_table, source_id, triggered_at, acknowledged_at, acknowledged_by,
--   acknowledged_notes, resolved_at, resolved_by, resolved_notes, resolution_action, fingerprint,
--   suppressed, notification_sent, notification_channels, notification_attempts,
--   notification_errors, tags.
SELECT a.alert_id, a.alert_type, a.severity, a.category, a.component, a.environment, a.message,
       jsonb_pretty(a.details) AS details, a.source_table, a.source_id, a.triggered_at,
       a.acknowledged_at, a.acknowledged_by, a.acknowledged_notes,
       a.resolved_at, a.resolved_by, a.resolved_notes, a.resolution_action,
       a.fingerprint, a.suppressed, a.notification_sent,
       jsonb_pretty(a.notification_channels) AS notification_channels, a.notification_attempts,
       jsonb_pretty(a.notification_errors) AS notification_errors, jsonb_pretty(a.tags) AS tags
FROM alerts a
WHERE a.alert_id = CAST(:alert_id AS int);
