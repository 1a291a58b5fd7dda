-- Fill rate of exit attempts by priority and order type: of the attempts placed, how many filled.
-- Parameters (each NULL = no filter): since, until (TIMESTAMP UTC: attempts placed in
--   [since, until)), platform, strategy_id, model_id (the position's opening buy trade),
--   exit_condition, priority.
-- Returns: priority_level, order_type, attempts, filled, fill_rate (filled / attempts, 4 places).
--   Ordered by priority (CRITICAL first), order type.
-- Written once as the function exits_fill_rate() in schema.sql ("Exits page: its four aggregates"),
-- whose answer without filters is also stored (exits_fill_rate_stored.sql).
SELECT * FROM exits_fill_rate(CAST(:since AS timestamp), CAST(:until AS timestamp), CAST(:platform AS text),
                              CAST(:strategy_id AS int), CAST(:model_id AS int), CAST(:exit_condition AS text),
                              CAST(:priority AS text));
