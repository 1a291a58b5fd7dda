-- Open alerts at the end of each day, by severity: +1 on the day an alert was raised, -1 on the
-- day it was resolved, summed over all history (so alerts opened before the window count), shown
-- for the window. Suppressed duplicates are left out.
-- The window starts on a Monday (the first week with an alert, or the start of the week that many
-- weeks back), so what was open when it starts is one sum over alert_weeks_stored (schema.sql:
-- alerts raised and resolved per week, a stored answer): raised before it minus resolved before it
-- (an alert is resolved after it is raised). That sum only reads weeks before the window, which a
-- new alert or resolution does not change; the daily chart's days come from the alerts themselves.
-- Over all history the last week can lag the stored answer's refresh (a minute or so).
-- Over more than 53 weeks (all history) the points are weekly, at the end of each week's last day
-- (ten years of days were 14,600 rows for a chart a few hundred pixels wide), and the changes are
-- alert_weeks_stored's rows; over fewer, daily, from the window's alerts by index.
-- Parameters: weeks int (days from the start of the week that many weeks back; NULL = all history).
-- Returns: day (a day, or the last day of a week, at whose end the count is taken), severity, open_alerts.
WITH first_week AS (
    SELECT min(w.week) AS week FROM alert_weeks_stored w WHERE w.alerts > 0
),
window_start AS (
    SELECT date_trunc('day', now() AT TIME ZONE 'UTC') AS today,
           greatest(f.week, alerts_window_start(CAST(:weeks AS int))) AS start
    FROM first_week f
    WHERE f.week IS NOT NULL  -- no alert yet: no rows (greatest() would ignore the NULL)
),
bounds AS (
    SELECT w.*, CASE WHEN w.today - w.start > interval '371 days' THEN interval '7 days' ELSE interval '1 day' END AS step
    FROM window_start w
),
severities AS (
    SELECT * FROM (VALUES ('critical', 1), ('high', 2), ('medium', 3), ('low', 4)) AS s(severity, severity_rank)
),
open_at_start AS (
    SELECT w.severity, sum(w.alerts - w.resolved_in_week) AS open_alerts
    FROM alert_weeks_stored w, bounds b
    WHERE w.week < b.start
    GROUP BY w.severity
),
changes AS (  -- by the period (day or week) they fall in
    SELECT w.week AS period, w.severity, sum(w.alerts - w.resolved_in_week) AS delta
    FROM alert_weeks_stored w, bounds b
    WHERE b.step = interval '7 days' AND w.week >= b.start
    GROUP BY 1, 2
    UNION ALL
    SELECT date_bin(b.step, e.at, b.start), e.severity, sum(e.delta)
    FROM (
        SELECT a.triggered_at AS at, a.severity, 1 AS delta FROM alerts a, bounds b
         WHERE b.step = interval '1 day' AND NOT a.suppressed AND a.triggered_at >= b.start
        UNION ALL
        SELECT a.resolved_at, a.severity, -1 FROM alerts a, bounds b
         WHERE b.step = interval '1 day' AND a.resolved_at IS NOT NULL AND NOT a.suppressed AND a.resolved_at >= b.start
    ) e, bounds b
    GROUP BY 1, 2
),
grid AS (
    SELECT p.period, least(p.period + b.step - interval '1 day', b.today) AS day, s.severity, s.severity_rank
    FROM bounds b
    CROSS JOIN generate_series(b.start, b.today, b.step) AS p(period)
    CROSS JOIN severities s
)
SELECT g.day::date AS day, g.severity,
       (coalesce(o.open_alerts, 0)
        + sum(coalesce(c.delta, 0)) OVER (PARTITION BY g.severity ORDER BY g.period))::int AS open_alerts
FROM grid g
LEFT JOIN changes c ON c.period = g.period AND c.severity = g.severity
LEFT JOIN open_at_start o ON o.severity = g.severity
ORDER BY g.day, g.severity_rank;
