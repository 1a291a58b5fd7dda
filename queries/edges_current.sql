-- Current edges worth a look: the current edge of each market x strategy x model on markets
-- that are still OPEN (view open_market_edges: a settled market's last edge is history, not an
-- opportunity), at or above an expected-value threshold, best first. The other filters are
-- open_market_edges_matching() in schema.sql, shared with edges_summary.sql.
-- Parameters: :min_ev (NUMERIC: expected value per contract, inclusive);
--   :confidence, :actions, :sports, :platforms (text[] or NULL = any: confidence_level,
--   recommended_action, sport (event subcategory, else category), platform_id);
--   :strategy_name, :model_name (text or NULL = any); :row_limit (INT or NULL = all).
-- Returns: edge_id, market_id, market_ticker, market_title, sport, category, platform_id,
--   strategy_name, strategy_version, model_name, model_version, true_win_probability,
--   market_price, market_implied_probability, expected_value (DECIMAL), confidence_level,
--   recommended_action, quoted_at (TIMESTAMP UTC: when the edge was computed).
SELECT o.edge_id, o.market_id, o.market_ticker, o.market_title, o.sport, o.category, o.platform_id,
       o.strategy_name, o.strategy_version, o.model_name, o.model_version,
       o.true_win_probability, o.market_price, o.market_implied_probability, o.expected_value,
       o.confidence_level, o.recommended_action, o.quoted_at
FROM open_market_edges_matching(CAST(:confidence AS text[]), CAST(:actions AS text[]),
                                CAST(:sports AS text[]), CAST(:platforms AS text[]),
                                CAST(:strategy_name AS text), CAST(:model_name AS text)) o
WHERE o.expected_value >= CAST(:min_ev AS numeric)
ORDER BY o.expected_value DESC, o.edge_id
LIMIT CAST(:row_limit AS int);
