-- Open alerts at the end of each day, by severity: +1 on the day an alert was raised, -1 on the
-- day it was resolved, summed over all history (so alerts opened before the window count), shown
-- for the window. Suppressed duplicates are left out.
-- Parameters: weeks int (days from the start of the week that many weeks back; NULL = all history).
-- Returns: day, severity, open_alerts.
WITH changes AS (
    SELECT date_trunc('day', e.at) AS day, e.severity, sum(e.delta) AS delta
    FROM (
        SELECT a.triggered_at AS at, a.severity, 1 AS delta FROM alerts a WHERE NOT a.suppressed
        UNION ALL
        SELECT a.resolved_at, a.severity, -1 FROM alerts a WHERE a.resolved_at IS NOT NULL AND NOT a.suppressed
    ) e
    GROUP BY 1, 2
),
grid AS (
    SELECT d.day, s.severity, s.severity_rank
    FROM generate_series((SELECT min(c.day) FROM changes c),
                         date_trunc('day', now() AT TIME ZONE 'UTC'), interval '1 day') AS d(day)
    CROSS JOIN (VALUES ('critical', 1), ('high', 2), ('medium', 3), ('low', 4)) AS s(severity, severity_rank)
),
running AS (
    SELECT g.day, g.severity, g.severity_rank,
           sum(coalesce(c.delta, 0)) OVER (PARTITION BY g.severity ORDER BY g.day) AS open_alerts
    FROM grid g
    LEFT JOIN changes c ON c.day = g.day AND c.severity = g.severity
)
SELECT r.day::date AS day, r.severity, r.open_alerts::int AS open_alerts
FROM running r
WHERE CAST(:weeks AS int) IS NULL
   OR r.day >= date_trunc('week', now() AT TIME ZONE 'UTC') - make_interval(weeks => CAST(:weeks AS int))
ORDER BY r.day, r.severity_rank;
