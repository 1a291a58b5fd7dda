-- Snooze one alert until a moment, with a reason (one snooze at a time: the first writer wins;
-- see snooze_alert in schema.sql). It comes back to the queue by itself when the moment passes.
-- Parameters: alert_id int, actor text, until timestamp (UTC), reason text (required).
-- Returns one row: outcome ('snoozed' | 'already_snoozed' | 'already_resolved' | 'unknown_alert'),
--   alert_id, actor, acted_at, message (one sentence to show).
SELECT r.outcome, r.alert_id, r.actor, r.acted_at, r.message
FROM snooze_alert(CAST(:alert_id AS int), CAST(:actor AS text), CAST(:until AS timestamp), CAST(:reason AS text)) r;
