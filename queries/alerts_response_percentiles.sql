-- Time to acknowledge and to resolve per severity or component over a window: mean, median and
-- 90th percentile, measured from when the alert was raised. Acknowledged = acknowledged_at is set
-- (by acknowledge_alert, or recorded on the row by the system that raised it); resolved likewise.
-- Alerts still unacknowledged (unresolved) are not in the acknowledge (resolve) figures: they are
-- counted in alerts, not timed. Suppressed duplicates are left out, as in alert_weeks_stored.
-- percentile_cont: linear interpolation between the closest ranks (numpy's default). Reads the
-- window's rows from the covering index idx_alerts_metrics alone (index-only); ten years is about
-- 20K alerts.
-- Parameters: weeks int (weeks back from the start of the database's current week; NULL = all),
--   by text ('severity' | 'component').
-- Returns one row per severity or component (key): alerts, acknowledged, ack_mean_seconds,
--   ack_p50_seconds, ack_p90_seconds, resolved, resolve_mean_seconds, resolve_p50_seconds,
--   resolve_p90_seconds (float8; NULL when none was acknowledged / resolved). Unordered.
WITH timed AS (
    SELECT CASE WHEN CAST(:by AS text) = 'component' THEN a.component ELSE a.severity END AS key,
           date_part('epoch', a.acknowledged_at - a.triggered_at) AS ack_seconds,
           date_part('epoch', a.resolved_at - a.triggered_at) AS resolve_seconds
    FROM alerts a
    WHERE NOT a.suppressed AND a.triggered_at >= alerts_window_start(CAST(:weeks AS int))
)
SELECT t.key, count(*) AS alerts,
       count(t.ack_seconds) AS acknowledged,
       avg(t.ack_seconds) AS ack_mean_seconds,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY t.ack_seconds) AS ack_p50_seconds,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY t.ack_seconds) AS ack_p90_seconds,
       count(t.resolve_seconds) AS resolved,
       avg(t.resolve_seconds) AS resolve_mean_seconds,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY t.resolve_seconds) AS resolve_p50_seconds,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY t.resolve_seconds) AS resolve_p90_seconds
FROM timed t
GROUP BY t.key;
