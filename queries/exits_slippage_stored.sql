-- exits_slippage.sql without filters, as last stored (schema.sql, execution_slippage_stored), with
-- computed_at (when it was stored) on every row: the same rows and order as exits_slippage.sql.
SELECT v.*, a.computed_at
FROM execution_slippage_stored v
JOIN stored_answers a ON a.name = 'execution_slippage_stored'
ORDER BY v.order_kind IS NOT NULL, v.order_kind, v.dimension, v.group_key;
