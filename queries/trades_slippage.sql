-- One position's orders against the prices they were decided at (Trade attribution, a trade's
-- detail): its entries and exit orders from summary order_slippage (definitions in
-- exits_slippage.sql).
-- Parameters: position_id.
-- Returns: order_kind, order_key (trade_id of an entry, sequence_id of an exit order), order_type,
--   exit_priority, exit_condition, decided_at, decision_price, fill_price (NULL: never filled),
--   quantity (the slippage of each: analytics/execution.py). In the order they were decided.
SELECT s.order_kind, s.order_key, s.order_type, s.exit_priority, s.exit_condition, s.decided_at, s.decision_price,
       s.fill_price, s.quantity
FROM order_slippage s
WHERE s.position_id = CAST(:position_id AS int)
ORDER BY s.decided_at, s.order_kind, s.order_key;
