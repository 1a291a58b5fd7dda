-- Response-time sums per week raised, severity and component, for mean time to acknowledge
-- (acknowledged_at - triggered_at) and to resolve (resolved_at - triggered_at). Sums and counts,
-- not means, so any roll-up (by severity, by component, whole window) stays exact.
-- Suppressed duplicates are left out: nobody was asked to respond to them.
-- date_part, not extract: extract returns numeric, and summing 20K numerics (ten years of alerts)
-- was half the statement (the sums reached the page as float8 anyway). Unordered: the hash aggregate is
-- a third faster than sorting 20K rows by text, and analytics/alerts.py orders what it shows.
-- Reads idx_alerts_metrics only (an index-only scan), not the alerts' wide rows.
-- Parameters: weeks int (weeks back from the start of the database's current week; NULL = all).
-- Returns: week (Monday 00:00), severity, component, alerts, acknowledged, ack_seconds,
--   resolved, resolve_seconds.
SELECT date_trunc('week', a.triggered_at) AS week, a.severity, a.component,
       count(*) AS alerts,
       count(a.acknowledged_at) AS acknowledged,
       coalesce(sum(date_part('epoch', a.acknowledged_at - a.triggered_at)), 0) AS ack_seconds,
       count(a.resolved_at) AS resolved,
       coalesce(sum(date_part('epoch', a.resolved_at - a.triggered_at)), 0) AS resolve_seconds
FROM alerts a
WHERE NOT a.suppressed
  AND (CAST(:weeks AS int) IS NULL
       OR a.triggered_at >= date_trunc('week', now() AT TIME ZONE 'UTC') - make_interval(weeks => CAST(:weeks AS int)))
GROUP BY 1, 2, 3;
