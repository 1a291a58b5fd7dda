-- The newest exits with how far their position ran against them and what they returned: the
-- points of the MAE-against-return scatter (summary exit_excursions).
-- Parameters: as exits_excursions.sql (each NULL = no filter), and max_rows (how many at most).
-- Returns: exit_id, position_id, created_at, exit_condition, entry_price, exit_price,
--   quantity_exited, step, steps, worst_price, best_price (while held, the entry and exit prices
--   included), best_after (NULL while the market is open). Newest first. MAE, MFE, return and
--   efficiency of each: analytics/execution.py.
SELECT e.exit_id, e.position_id, e.created_at, e.exit_condition, e.entry_price, e.exit_price, e.quantity_exited,
       e.step, e.steps, e.worst_price, e.best_price, e.best_after
FROM exit_excursions e
WHERE (CAST(:since AS timestamp) IS NULL OR e.created_at >= CAST(:since AS timestamp))
  AND (CAST(:until AS timestamp) IS NULL OR e.created_at < CAST(:until AS timestamp))
  AND (CAST(:platform AS text) IS NULL OR e.platform_id = CAST(:platform AS text))
  AND (CAST(:strategy_id AS int) IS NULL OR e.strategy_id = CAST(:strategy_id AS int))
  AND (CAST(:model_id AS int) IS NULL OR e.model_id = CAST(:model_id AS int))
  AND (CAST(:exit_condition AS text) IS NULL OR e.exit_condition = CAST(:exit_condition AS text))
  AND (CAST(:priority AS text) IS NULL OR e.exit_priority = CAST(:priority AS text))
ORDER BY e.created_at DESC, e.exit_id DESC
LIMIT CAST(:max_rows AS int);
