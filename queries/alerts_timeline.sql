-- One alert's history, oldest first: when it was raised, then every action in the audit table
-- alert_actions. An acknowledgement or resolution found only on the alert row (rows written
-- before the audit table existed, e.g. the demo's) is shown from the row and says so.
-- Parameters: alert_id int.
-- Returns: at, event ('raised' | 'acknowledged' | 'snoozed until <UTC minute>' | 'resolved'),
--   actor, resolution_action, notes (a snooze's reason),
--   recorded_in ('alert row' | 'audit trail').
SELECT t.at, t.event, t.actor, t.resolution_action, t.notes, t.recorded_in
FROM (
    SELECT a.triggered_at AS at, 'raised' AS event, NULL::varchar AS actor,
           NULL::varchar AS resolution_action, NULL::text AS notes, 'alert row' AS recorded_in, 0 AS step
    FROM alerts a WHERE a.alert_id = CAST(:alert_id AS int)
    UNION ALL
    SELECT x.acted_at, CASE x.action WHEN 'acknowledge' THEN 'acknowledged'
                            WHEN 'snooze' THEN 'snoozed until ' || to_char(x.snoozed_until, 'YYYY-MM-DD HH24:MI')
                            ELSE 'resolved' END,
           x.actor, x.resolution_action, x.notes, 'audit trail',
           CASE x.action WHEN 'acknowledge' THEN 1 WHEN 'snooze' THEN 1 ELSE 2 END
    FROM alert_actions x WHERE x.alert_id = CAST(:alert_id AS int)
    UNION ALL
    SELECT a.acknowledged_at, 'acknowledged', a.acknowledged_by, NULL, a.acknowledged_notes, 'alert row', 1
    FROM alerts a
    WHERE a.alert_id = CAST(:alert_id AS int) AND a.acknowledged_at IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM alert_actions x WHERE x.alert_id = a.alert_id AND x.action = 'acknowledge')
    UNION ALL
    SELECT a.resolved_at, 'resolved', a.resolved_by, a.resolution_action, a.resolved_notes, 'alert row', 2
    FROM alerts a
    WHERE a.alert_id = CAST(:alert_id AS int) AND a.resolved_at IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM alert_actions x WHERE x.alert_id = a.alert_id AND x.action = 'resolve')
) t
ORDER BY t.at, t.step;
