-- The values the queue's filters offer (and the only values a link may name), in one scan.
-- Parameters: none.
-- Returns: field ('category' | 'component' | 'alert_type' | 'environment'), value.
SELECT CASE WHEN grouping(a.category) = 0 THEN 'category'
            WHEN grouping(a.component) = 0 THEN 'component'
            WHEN grouping(a.alert_type) = 0 THEN 'alert_type'
            ELSE 'environment' END AS field,
       coalesce(a.category, a.component, a.alert_type, a.environment) AS value
FROM alerts a
GROUP BY GROUPING SETS ((a.category), (a.component), (a.alert_type), (a.environment))
HAVING coalesce(a.category, a.component, a.alert_type, a.environment) IS NOT NULL
ORDER BY 1, 2;
