-- One alert, everything about it, JSON columns as indented text.
-- Parameters: alert_id int.
-- Returns zero or one row: alert_id, alert_type, severity, category, component, environment,
--   message, details, source_table, source_id, triggered_at, acknowledged_at, acknowledged_by,
--   acknowledged_notes, resolved_at, resolved_by, resolved_notes, resolution_action, fingerprint,
--   suppressed, notification_sent, notification_channels, notification_attempts,
--   notification_errors, tags, snoozed_until, snoozed_by, snooze_reason (NULL unless snoozed now).
SELECT a.alert_id, a.alert_type, a.severity, a.category, a.component, a.environment, a.message,
       jsonb_pretty(a.details) AS details, a.source_table, a.source_id, a.triggered_at,
       a.acknowledged_at, a.acknowledged_by, a.acknowledged_notes,
       a.resolved_at, a.resolved_by, a.resolved_notes, a.resolution_action,
       a.fingerprint, a.suppressed, a.notification_sent,
       jsonb_pretty(a.notification_channels) AS notification_channels, a.notification_attempts,
       jsonb_pretty(a.notification_errors) AS notification_errors, jsonb_pretty(a.tags) AS tags,
       s.snoozed_until, s.snoozed_by, s.snooze_reason
FROM alerts a
LEFT JOIN LATERAL (SELECT a.snoozed_until, a.snoozed_by, a.snooze_reason
                   WHERE a.snoozed_until > now() AT TIME ZONE 'UTC') s ON true
WHERE a.alert_id = CAST(:alert_id AS int);
