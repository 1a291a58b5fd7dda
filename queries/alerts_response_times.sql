-- Response-time sums per week raised, severity and component, for mean time to acknowledge
-- (acknowledged_at - triggered_at) and to resolve (resolved_at - triggered_at). Sums and counts,
-- not means, so any roll-up (by severity, by component, whole window) stays exact.
-- Read from alert_weeks_stored (schema.sql: the same sums per week, a stored answer refreshed each
-- minute), not from every alert of the window: all history at ten years was 34 ms of aggregation
-- in the server. Suppressed duplicates are not in it: nobody was asked to respond to them. Unordered:
-- analytics/alerts.py orders what it shows.
-- Parameters: weeks int (weeks back from the start of the database's current week; NULL = all).
-- Returns: week (Monday 00:00), severity, component, alerts, acknowledged, ack_seconds,
--   resolved, resolve_seconds.
SELECT w.week, w.severity, w.component,
       sum(w.alerts) AS alerts,
       sum(w.acknowledged) AS acknowledged,
       sum(w.ack_seconds) AS ack_seconds,
       sum(w.resolved) AS resolved,
       sum(w.resolve_seconds) AS resolve_seconds
FROM alert_weeks_stored w
WHERE w.week >= alerts_window_start(CAST(:weeks AS int))
GROUP BY 1, 2, 3
HAVING sum(w.alerts) > 0;  -- (a key's row can hold only resolutions of alerts raised earlier)
