-- Execution quality: every order's fill against the price it was decided at, grouped by strategy
-- version, order type, exit priority and platform, entries and exits apart (summary order_slippage,
-- schema.sql "Execution quality and how far positions ran"). Slippage is in cents per contract,
-- positive = a cost to us (an entry's fill - the price on its edge; an exit's price when its
-- condition triggered - its fill); total_cost is slippage x quantity, in money.
-- Parameters (each NULL = no filter): since, until (TIMESTAMP UTC: orders decided in
--   [since, until)), platform, strategy_id, model_id (an entry's own versions, an exit's position's),
--   exit_condition, priority (select exit orders; entries are left out when either is given).
-- Returns: dimension ('total', 'strategy', 'order_type', 'priority', 'platform'), order_kind
--   ('entry', 'exit'; NULL on the overall total), group_key (text), orders, never_filled, measured
--   (filled with a decision price), median_cents, p90_cents, mean_cents, total_cost (DECIMAL),
--   at_or_better, share_at_or_better.
-- Written once as the function execution_slippage() in schema.sql, whose answer without filters is
-- also stored (exits_slippage_stored.sql).
SELECT * FROM execution_slippage(CAST(:since AS timestamp), CAST(:until AS timestamp), CAST(:platform AS text),
                                 CAST(:strategy_id AS int), CAST(:model_id AS int), CAST(:exit_condition AS text),
                                 CAST(:priority AS text));
