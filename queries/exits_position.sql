-- One position, for the drill-down: what it is, what it opened with, how it ended.
-- Parameters: position_id.
-- Returns zero rows for an unknown position, else one row: position_id, market_id, ticker,
--   market_title, platform_id, side, execution_mode, entry_price, opening_quantity, opened_at,
--   current_quantity, status, status_since, realized_pnl (DECIMAL, the current row's: fees
--   included), strategy (name and version of the opening trade's strategy), model (likewise),
--   exits, exited_quantity, market_status, held_settlement_value (the held side's settlement
--   value, NULL until the market settles), settled_at (our settlement of the market, else NULL).
SELECT ps.position_id, ps.market_id, m.ticker, m.title AS market_title, ps.platform_id, ps.side,
       ps.execution_mode, ps.entry_price, ps.opening_quantity, ps.opened_at, ps.current_quantity,
       ps.status, ps.status_since, ps.realized_pnl,
       s.strategy_name || ' ' || s.strategy_version AS strategy,
       pm.model_name || ' ' || pm.model_version AS model,
       (SELECT count(*) FROM position_exits pe WHERE pe.position_id = ps.position_id) AS exits,
       (SELECT coalesce(sum(pe.quantity_exited), 0) FROM position_exits pe
         WHERE pe.position_id = ps.position_id) AS exited_quantity,
       m.status AS market_status,
       CASE WHEN m.status = 'settled' AND m.settlement_value IS NOT NULL THEN
            CASE ps.side WHEN 'yes' THEN m.settlement_value ELSE 1 - m.settlement_value END
       END AS held_settlement_value,
       (SELECT min(st.created_at) FROM settlements st
         WHERE st.market_id = ps.market_id AND st.platform_id IS NOT DISTINCT FROM ps.platform_id) AS settled_at
FROM position_summary ps
LEFT JOIN markets m ON m.market_id = ps.market_id AND m.row_current_ind
LEFT JOIN strategies s ON s.strategy_id = ps.strategy_id
LEFT JOIN probability_models pm ON pm.model_id = ps.model_id
WHERE ps.position_id = CAST(:position_id AS int);
