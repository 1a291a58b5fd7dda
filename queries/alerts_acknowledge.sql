-- Acknowledge one alert (first writer wins; see acknowledge_alert in schema.sql).
-- Parameters: alert_id int, actor text, notes text (NULL or blank = no note).
-- Returns one row: outcome ('acknowledged' | 'already_acknowledged' | 'already_resolved' |
--   'unknown_alert'), alert_id, actor, acted_at, message (one sentence to show).
SELECT r.outcome, r.alert_id, r.actor, r.acted_at, r.message
FROM acknowledge_alert(CAST(:alert_id AS int), CAST(:actor AS text), CAST(:notes AS text)) r;
