-- Trade attribution: one page of the trades that match the filters, newest first, paged by
-- keyset on (created_at DESC, trade_id DESC) -- the order of idx_trades_created_id -- so the
-- 100,000th trade costs what the first does. Never OFFSET.
-- With :page_size NULL this is the whole filtered set: the CSV export streams it.
-- The filter is trades_matching() in schema.sql, shared with trades_page_before.sql and
-- trades_count.sql (inlined by the planner: the keyset still walks idx_trades_created_id).
-- Parameters: :since, :until (TIMESTAMP UTC: trades in [since, until));
--   :strategy_name, :strategy_version, :model_name, :model_version (text or NULL = any);
--   :market (text or NULL: a market_id, or the start of a ticker, case-insensitive);
--   :platform_id, :side ('buy' | 'sell'), :execution_mode ('paper' | 'live') (text or NULL = any);
--   :start_id (INT or NULL: the page starts at this trade, inclusive; NULL = the newest);
--   :page_size (INT or NULL = no limit).
-- Returns: trade_id, created_at, side, market_ticker, market_id, platform_id, strategy_name,
--   strategy_version, model_name, model_version, price, quantity, fees (DECIMAL),
--   edge_at_execution (DECIMAL), confidence_at_execution, execution_mode, position_id, edge_id,
--   strategy_id, model_id.
-- Plan: for its values on every call
-- (its generic plan cannot drop the filters left NULL, and the market filter's subquery stays in
-- it: 3-5x slower than planning; queries/__init__.py)
SELECT ta.trade_id, ta.created_at, ta.side, ta.market_ticker, ta.market_id, ta.platform_id,
       ta.strategy_name, ta.strategy_version, ta.model_name, ta.model_version,
       ta.price, ta.quantity, ta.fees, ta.edge_at_execution, ta.confidence_at_execution,
       ta.execution_mode, ta.position_id, ta.edge_id, ta.strategy_id, ta.model_id
FROM trades_matching(CAST(:since AS timestamp), CAST(:until AS timestamp), CAST(:strategy_name AS text),
                     CAST(:strategy_version AS text), CAST(:model_name AS text), CAST(:model_version AS text),
                     CAST(:market AS text), CAST(:platform_id AS text), CAST(:side AS text),
                     CAST(:execution_mode AS text)) ta
WHERE (CAST(:start_id AS int) IS NULL
       OR (ta.created_at, ta.trade_id) <= (SELECT t.created_at, t.trade_id FROM trades t
                                            WHERE t.trade_id = CAST(:start_id AS int)))
ORDER BY ta.created_at DESC, ta.trade_id DESC
LIMIT CAST(:page_size AS int);
