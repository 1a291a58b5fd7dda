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
FROM exit_attempts a
JOIN position_summary ps USING (position_id)
WHERE (CAST(:since AS timestamp) IS NULL OR a.created_at >= CAST(:since AS timestamp))
  AND (CAST(:until AS timestamp) IS NULL OR a.created_at < CAST(:until AS timestamp))
  AND (CAST(:platform AS text) IS NULL OR ps.platform_id = CAST(:platform AS text))
  AND (CAST(:strategy_id AS int) IS NULL OR ps.strategy_id = CAST(:strategy_id AS int))
  AND (CAST(:model_id AS int) IS NULL OR ps.model_id = CAST(:model_id AS int))
  AND (CAST(:exit_condition AS text) IS NULL OR a.exit_condition = CAST(:exit_condition AS text))
  AND (CAST(:priority AS text) IS NULL OR a.priority_level = CAST(:priority AS text))
GROUP BY a.priority_level, a.order_type
ORDER BY array_position(ARRAY['CRITICAL', 'HIGH', 'MEDIUM', 'LOW']::varchar[], a.priority_level), a.order_type;
