-- The responders' queue: unresolved alerts grouped by fingerprint (an alert without one is its own
-- group). Overdue groups first (an acknowledged alert still unresolved longer than its severity's
-- limit in alert_ack_limits), then most severe, then oldest. Snoozed alerts (snoozed_until after
-- the database's now()) are left out until their snooze ends: they come back by themselves, with
-- no job to run. Reads only unresolved rows, so the partial index idx_alerts_unresolved keeps it
-- fast however many resolved alerts the table holds.
-- Parameters (NULL = no filter): severities text[], categories text[], components text[],
--   alert_types text[], environments text[], window_hours int (raised within the last N hours of
--   database time), state text ('new' = nobody acknowledged it, 'acknowledged', 'overdue' =
--   acknowledged and past its limit, 'snoozed' = only the snoozed alerts), max_groups int.
-- Returns one row per group: group_key, alert_id (the group's representative: its most severe,
--   then oldest alert), severity, alert_type, category, component, environment, message,
--   first_triggered_at, last_triggered_at, alerts, duplicates (alerts - 1), suppressed,
--   unacknowledged, state ('new' | 'acknowledged' | 'partly acknowledged'), acknowledged_by,
--   alert_ids (every alert of the group, oldest first), overdue (boolean), overdue_since (when the
--   first of its acknowledged alerts passed its limit; NULL when none has), snoozed_until,
--   snoozed_by, snooze_reason (the representative's; NULL outside the 'snoozed' view),
--   database_now, total_groups (before max_groups).
WITH clock AS (SELECT (now() AT TIME ZONE 'UTC')::timestamp AS database_now),
open_alerts AS (
    SELECT a.alert_id, a.severity, a.alert_type, a.category, a.component, a.environment, a.message,
           a.triggered_at, a.acknowledged_at, a.acknowledged_by, a.suppressed,
           a.snoozed_until, a.snoozed_by, a.snooze_reason,
           a.acknowledged_at + l.resolve_within AS due_at,
           a.acknowledged_at + l.resolve_within < c.database_now AS overdue,
           coalesce(a.fingerprint, 'alert:' || a.alert_id) AS group_key,
           CASE a.severity WHEN 'critical' THEN 1 WHEN 'high' THEN 2 WHEN 'medium' THEN 3 ELSE 4 END AS severity_rank
    FROM alerts a
    CROSS JOIN clock c
    LEFT JOIN alert_ack_limits l ON l.severity = a.severity
    WHERE a.resolved_at IS NULL
      AND (CAST(:severities AS text[]) IS NULL OR a.severity = ANY (CAST(:severities AS text[])))
      AND (CAST(:categories AS text[]) IS NULL OR a.category = ANY (CAST(:categories AS text[])))
      AND (CAST(:components AS text[]) IS NULL OR a.component = ANY (CAST(:components AS text[])))
      AND (CAST(:alert_types AS text[]) IS NULL OR a.alert_type = ANY (CAST(:alert_types AS text[])))
      AND (CAST(:environments AS text[]) IS NULL OR a.environment = ANY (CAST(:environments AS text[])))
      AND (CAST(:window_hours AS int) IS NULL
           OR a.triggered_at >= c.database_now - make_interval(hours => CAST(:window_hours AS int)))
      -- snoozed: only in the 'snoozed' view, until the snooze ends
      AND coalesce(CAST(:state AS text) = 'snoozed', false) = coalesce(a.snoozed_until > c.database_now, false)
      AND (CAST(:state AS text) IS NULL OR CAST(:state AS text) = 'snoozed'
           OR (CAST(:state AS text) = 'new' AND a.acknowledged_at IS NULL)
           OR (CAST(:state AS text) = 'acknowledged' AND a.acknowledged_at IS NOT NULL)
           OR (CAST(:state AS text) = 'overdue' AND a.acknowledged_at + l.resolve_within < c.database_now))
),
groups AS (
    SELECT o.group_key,
           min(o.severity_rank) AS severity_rank,
           min(o.triggered_at) AS first_triggered_at,
           max(o.triggered_at) AS last_triggered_at,
           count(*) AS alerts,
           count(*) FILTER (WHERE o.suppressed) AS suppressed,
           count(*) FILTER (WHERE o.acknowledged_at IS NULL) AS unacknowledged,
           string_agg(DISTINCT o.acknowledged_by, ', ') AS acknowledged_by,
           coalesce(bool_or(o.overdue), false) AS overdue,
           min(o.due_at) FILTER (WHERE o.overdue) AS overdue_since,
           array_agg(o.alert_id ORDER BY o.triggered_at, o.alert_id) AS alert_ids
    FROM open_alerts o
    GROUP BY o.group_key
),
representatives AS (
    SELECT DISTINCT ON (o.group_key) o.*
    FROM open_alerts o
    ORDER BY o.group_key, o.severity_rank, o.triggered_at, o.alert_id
)
SELECT g.group_key, r.alert_id, r.severity, r.alert_type, r.category, r.component, r.environment,
       r.message, g.first_triggered_at, g.last_triggered_at, g.alerts, g.alerts - 1 AS duplicates,
       g.suppressed, g.unacknowledged,
       CASE WHEN g.unacknowledged = g.alerts THEN 'new'
            WHEN g.unacknowledged = 0 THEN 'acknowledged'
            ELSE 'partly acknowledged' END AS state,
       g.acknowledged_by, g.alert_ids, g.overdue, g.overdue_since,
       r.snoozed_until, r.snoozed_by, r.snooze_reason, (SELECT database_now FROM clock) AS database_now,
       count(*) OVER () AS total_groups
FROM groups g
JOIN representatives r ON r.group_key = g.group_key
ORDER BY g.overdue DESC, g.severity_rank, g.first_triggered_at, g.group_key
LIMIT CAST(:max_groups AS int);
