-- Fill rate of exit attempts by priority and order type: of the attempts placed, how many filled.
-- Parameters (each NULL = no filter): since, until (TIMESTAMP UTC: attempts placed in
--   [since, until)), platform, strategy_id, model_id (the position's opening buy trade),
--   exit_condition, priority.
-- Returns: priority_level, order_type, attempts, filled, fill_rate (filled / attempts, 4 places).
--   Ordered by priority (CRITICAL first), order type.
SELECT a.priority_level, a.order_type,
       count(*) AS attempts,
       count(*) FILTER (WHERE a.success) AS filled,
       round(count(*) FILTER (WHERE a.success)::numeric / count(*), 4) AS fill_rate
FROM exit_attempts_matching(CAST(:since AS timestamp), CAST(:until AS timestamp), CAST(:platform AS text),
                            CAST(:strategy_id AS int), CAST(:model_id AS int), CAST(:exit_condition AS text),
                            CAST(:priority AS text)) a
GROUP BY a.priority_level, a.order_type
ORDER BY array_position(ARRAY['CRITICAL', 'HIGH', 'MEDIUM', 'LOW']::varchar[], a.priority_level), a.order_type;
