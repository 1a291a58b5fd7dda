-- A position's exits (one row per partial or full exit), oldest first.
-- Parameters: :position_id (INT).
-- Returns: exit_id, created_at, exit_condition, exit_priority, quantity_exited, exit_price,
--   unrealized_pnl_at_exit (DECIMAL).
SELECT x.exit_id, x.created_at, x.exit_condition, x.exit_priority, x.quantity_exited, x.exit_price,
       x.unrealized_pnl_at_exit
FROM position_exits x
WHERE x.position_id = CAST(:position_id AS int)
ORDER BY x.created_at, x.exit_id;
