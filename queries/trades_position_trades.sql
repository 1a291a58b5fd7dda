-- Every trade of a position (the entry and each exit), oldest first.
-- Parameters: :position_id (INT).
-- Returns: trade_id, created_at, side, price, quantity, fees, edge_at_execution (DECIMAL),
--   order_type, reason (trade_metadata->>'reason', NULL when not recorded).
SELECT t.trade_id, t.created_at, t.side, t.price, t.quantity, t.fees, t.edge_at_execution, t.order_type,
       t.trade_metadata ->> 'reason' AS reason
FROM trades t
WHERE t.position_id = CAST(:position_id AS int)
ORDER BY t.created_at, t.trade_id;
