-- Open alerts at the end of each day, by severity: +1 on the day an alert was raised, -1 on the
-- day it was resolved, summed over all history (so alerts opened before the window count), shown
-- for the window. Suppressed duplicates are left out.
-- The days before the window are not walked one by one: what was open when the window starts is
-- one count, and the running sum starts from it (13 weeks at ten years: 56 ms before, a few now).
-- Over more than 53 weeks (all history) the points are weekly, at the end of each week's last day
-- (ten years of days were 14,600 rows for a chart a few hundred pixels wide: 57 ms).
-- Parameters: weeks int (days from the start of the week that many weeks back; NULL = all history).
-- Returns: day (a day, or the last day of a week, at whose end the count is taken), severity, open_alerts.
WITH first_day AS (
    SELECT date_trunc('day', min(a.triggered_at)) AS day FROM alerts a WHERE NOT a.suppressed
),
window_start AS (
    SELECT f.day AS first_day, date_trunc('day', now() AT TIME ZONE 'UTC') AS today,
           CASE WHEN CAST(:weeks AS int) IS NULL THEN f.day
                ELSE greatest(f.day, date_trunc('week', now() AT TIME ZONE 'UTC') - make_interval(weeks => CAST(:weeks AS int)))
           END AS start
    FROM first_day f
),
bounds AS (
    SELECT w.*, CASE WHEN w.today - w.start > interval '371 days' THEN interval '7 days' ELSE interval '1 day' END AS step
    FROM window_start w
),
severities AS (
    SELECT * FROM (VALUES ('critical', 1), ('high', 2), ('medium', 3), ('low', 4)) AS s(severity, severity_rank)
),
open_at_start AS (  -- raised before the window's first day and not resolved before it
    SELECT a.severity, count(*) AS open_alerts
    FROM alerts a, bounds b
    WHERE NOT a.suppressed AND a.triggered_at < b.start AND (a.resolved_at IS NULL OR a.resolved_at >= b.start)
    GROUP BY a.severity
),
changes AS (  -- by the period (day or week) they fall in
    SELECT date_bin(b.step, e.at, b.start) AS period, e.severity, sum(e.delta) AS delta
    FROM (
        SELECT a.triggered_at AS at, a.severity, 1 AS delta FROM alerts a, bounds b
         WHERE NOT a.suppressed AND a.triggered_at >= b.start
        UNION ALL
        SELECT a.resolved_at, a.severity, -1 FROM alerts a, bounds b
         WHERE a.resolved_at IS NOT NULL AND NOT a.suppressed AND a.resolved_at >= b.start
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
