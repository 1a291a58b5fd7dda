-- One trade and everything it is attributed to: the market, the exact strategy and model
-- versions (with their immutable configs), the method, and the edge that triggered it. A sell
-- (an exit) carries no edge of its own; its position's entry trade names the edge, so that one is
-- shown, flagged by edge_from_entry.
-- Parameters: :trade_id (INT).
-- Returns zero rows (no such trade) or one: trade_id, created_at, side, price, quantity, fees,
--   edge_at_execution, confidence_at_execution, execution_mode, order_type, limit_price,
--   time_in_force, filled_at, order_id, external_trade_id, trade_metadata (JSON), market_id,
--   market_ticker, market_title, market_status, platform_id, position_id,
--   strategy_id, strategy_name, strategy_version, strategy_status, strategy_config (JSON),
--   model_id, model_name, model_version, model_status, model_config (JSON),
--   method_name, method_version, edge_id, edge_from_entry (BOOLEAN), edge_expected_value,
--   edge_true_win_probability, edge_market_implied_probability, edge_market_price (DECIMAL),
--   edge_confidence_level, edge_recommended_action, edge_created_at, edge_is_current (BOOLEAN).
SELECT t.trade_id, t.created_at, t.side, t.price, t.quantity, t.fees, t.edge_at_execution,
       t.confidence_at_execution, t.execution_mode, t.order_type, t.limit_price, t.time_in_force,
       t.filled_at, t.order_id, t.external_trade_id, t.trade_metadata,
       t.market_id, m.ticker AS market_ticker, m.title AS market_title, m.status AS market_status,
       t.platform_id, t.position_id,
       s.strategy_id, s.strategy_name, s.strategy_version, s.status AS strategy_status, s.config AS strategy_config,
       pm.model_id, pm.model_name, pm.model_version, pm.status AS model_status, pm.config AS model_config,
       me.method_name, me.method_version,
       e.edge_id, (t.edge_id IS NULL AND e.edge_id IS NOT NULL) AS edge_from_entry,
       e.expected_value AS edge_expected_value, e.true_win_probability AS edge_true_win_probability,
       e.market_implied_probability AS edge_market_implied_probability, e.market_price AS edge_market_price,
       e.confidence_level AS edge_confidence_level, e.recommended_action AS edge_recommended_action,
       e.created_at AS edge_created_at, e.row_current_ind AS edge_is_current
FROM trades t
LEFT JOIN markets m ON m.market_id = t.market_id AND m.row_current_ind
LEFT JOIN strategies s ON s.strategy_id = t.strategy_id
LEFT JOIN probability_models pm ON pm.model_id = t.model_id
LEFT JOIN methods me ON me.method_id = t.method_id
LEFT JOIN edges e ON e.edge_id = coalesce(
    t.edge_id,
    (SELECT b.edge_id FROM trades b
      WHERE b.position_id = t.position_id AND b.side = 'buy' AND b.edge_id IS NOT NULL
      ORDER BY b.created_at, b.trade_id LIMIT 1))
WHERE t.trade_id = CAST(:trade_id AS int);
