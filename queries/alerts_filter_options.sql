-- The values the queue's filters offer (and the only values a link may name).
-- Each column's distinct values are walked through its index, one probe per value (a "loose index
-- scan"): a handful of values among 20K alerts at ten years, where grouping every row took 15 ms.
-- Parameters: none.
-- Returns: field ('category' | 'component' | 'alert_type' | 'environment'), value.
WITH RECURSIVE
categories(value) AS (
    SELECT min(category) FROM alerts
    UNION ALL
    SELECT (SELECT min(a.category) FROM alerts a WHERE a.category > c.value) FROM categories c WHERE c.value IS NOT NULL
),
components(value) AS (
    SELECT min(component) FROM alerts
    UNION ALL
    SELECT (SELECT min(a.component) FROM alerts a WHERE a.component > c.value) FROM components c WHERE c.value IS NOT NULL
),
alert_types(value) AS (
    SELECT min(alert_type) FROM alerts
    UNION ALL
    SELECT (SELECT min(a.alert_type) FROM alerts a WHERE a.alert_type > c.value) FROM alert_types c WHERE c.value IS NOT NULL
),
environments(value) AS (
    SELECT min(environment) FROM alerts
    UNION ALL
    SELECT (SELECT min(a.environment) FROM alerts a WHERE a.environment > c.value)
    FROM environments c WHERE c.value IS NOT NULL
)
SELECT f.field, f.value
FROM (SELECT 'category' AS field, value FROM categories
      UNION ALL SELECT 'component', value FROM components
      UNION ALL SELECT 'alert_type', value FROM alert_types
      UNION ALL SELECT 'environment', value FROM environments) f
WHERE f.value IS NOT NULL
ORDER BY 1, 2;
