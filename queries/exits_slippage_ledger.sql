-- The execution ledger: entries and exit orders in one list, newest first, each against the price
-- it was decided at (summary order_slippage; see exits_slippage.sql for the definitions).
-- Parameters: as exits_slippage.sql (each NULL = no filter), and max_rows (how many at most).
-- Returns: order_kind, order_key (trade_id of an entry, sequence_id of an exit order), position_id,
--   market_id, side, platform_id, strategy_id, model_id, order_type, exit_priority, exit_condition,
--   decided_at, decision_price, fill_price (NULL: never filled), quantity (the slippage of each:
--   analytics/execution.py). Newest decision first.
SELECT s.order_kind, s.order_key, s.position_id, s.market_id, s.side, s.platform_id, s.strategy_id, s.model_id,
       s.order_type, s.exit_priority, s.exit_condition, s.decided_at, s.decision_price, s.fill_price, s.quantity
FROM order_slippage s
WHERE (CAST(:since AS timestamp) IS NULL OR s.decided_at >= CAST(:since AS timestamp))
  AND (CAST(:until AS timestamp) IS NULL OR s.decided_at < CAST(:until AS timestamp))
  AND (CAST(:platform AS text) IS NULL OR s.platform_id = CAST(:platform AS text))
  AND (CAST(:strategy_id AS int) IS NULL OR s.strategy_id = CAST(:strategy_id AS int))
  AND (CAST(:model_id AS int) IS NULL OR s.model_id = CAST(:model_id AS int))
  AND (CAST(:exit_condition AS text) IS NULL OR s.exit_condition = CAST(:exit_condition AS text))
  AND (CAST(:priority AS text) IS NULL OR s.exit_priority = CAST(:priority AS text))
ORDER BY s.decided_at DESC, s.order_key DESC
LIMIT CAST(:max_rows AS int);
