-- Resolve one acknowledged alert (first writer wins; see resolve_alert in schema.sql).
-- Parameters: alert_id int, actor text, resolution_action text (fixed | false_positive | ignored |
--   escalated), notes text (NULL or blank = no note).
-- Returns one row: outcome ('resolved' | 'already_resolved' | 'not_acknowledged' |
--   'unknown_alert'), alert_id, actor, acted_at, message (one sentence to show).
SELECT r.outcome, r.alert_id, r.actor, r.acted_at, r.message
FROM resolve_alert(CAST(:alert_id AS int), CAST(:actor AS text), CAST(:resolution_action AS text),
                   CAST(:notes AS text)) r;
