-- Exits by exit condition and priority: how many, how much, what they earned, how long the
-- contracts were held, and what holding them to settlement would have earned instead (regret).
-- Parameters (each NULL = no filter): since, until (TIMESTAMP UTC: exits in [since, until)),
--   platform (platform_id), strategy_id, model_id (the position's opening buy trade),
--   exit_condition, priority.
-- Returns one row per grouping: level ('condition_priority' | 'condition' | 'total'),
--   exit_condition, exit_priority (NULL where rolled up), exits, positions, quantity_exited,
--   realized_pnl (DECIMAL: (exit price - entry price) x quantity, before fees), mean_return
--   (mean of exit price / entry price - 1 per exit), median_holding_hours, p90_holding_hours,
--   held_under_15m, held_15m_to_1h, held_1h_to_6h, held_6h_to_24h, held_1d_to_7d, held_over_7d
--   (exits by time from the position's opening to the exit), and for exits whose market has
--   settled: settled_exits, settled_quantity, settled_exit_pnl (DECIMAL), settled_hold_pnl
--   (DECIMAL: the same contracts held to settlement), saved_by_exiting (DECIMAL: exit minus
--   hold; negative = the exit cost money), exits_that_saved, exits_that_cost.
-- Prices are those of the contract held; the settlement value of the held side is the market's
-- settlement_value for 'yes' and 1 - settlement_value for 'no'. Each exit's P&L, return, holding
-- time and held value are kept in exit_facts (schema.sql) as exits, positions and markets are written.
-- Written once as the function exits_breakdown() in schema.sql ("Exits page: its four aggregates"),
-- whose answer without filters is also stored (exits_breakdown_stored.sql).
SELECT * FROM exits_breakdown(CAST(:since AS timestamp), CAST(:until AS timestamp), CAST(:platform AS text),
                              CAST(:strategy_id AS int), CAST(:model_id AS int), CAST(:exit_condition AS text),
                              CAST(:priority AS text));
