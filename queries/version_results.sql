-- Realized results of closed positions per strategy version x model version x execution mode,
-- attributed by the position's opening trade. Sums, not averages, so callers can regroup
-- (per strategy version, per model version, or the strategy x model matrix) exactly.
-- Parameters: :strategy_name (text or NULL = all), :model_name (text or NULL = all),
--   :since, :until (TIMESTAMP UTC or NULL: positions closed in [since, until)).
-- Returns: strategy_id, strategy_name, strategy_version, model_id, model_name, model_version,
--   execution_mode, trades (entry and exit trades of these positions), positions_closed, wins,
--   realized_pnl (DECIMAL), cost (DECIMAL: entry price x quantity), edge_sum (DECIMAL: sum of
--   edge_at_execution of the opening trades), first_closed_at, last_closed_at, clv_sum (DECIMAL:
--   closing line minus entry price, summed over the positions whose market has closed; the closing
--   line is the held side's last open price, as on the A/B page) and clv_positions (how many).
-- Each position's current row and opening buy come from position_facts (schema.sql): one scan of
-- one row per position, where this read every position's history and its opening trade.
-- Aggregated by ids first (one narrow hash), names joined to the few groups after.
SELECT s.strategy_id, s.strategy_name, s.strategy_version, pm.model_id, pm.model_name, pm.model_version,
       r.execution_mode, r.trades, r.positions_closed, r.wins, r.realized_pnl, r.cost, r.edge_sum,
       r.first_closed_at, r.last_closed_at, r.clv_sum, r.clv_positions
FROM (
    SELECT f.strategy_id, f.model_id, f.execution_mode,
           sum(f.fills) AS trades,
           count(*) AS positions_closed,
           count(*) FILTER (WHERE f.realized_pnl > 0) AS wins,
           sum(f.realized_pnl) AS realized_pnl,
           sum(f.opening_cost) AS cost,
           sum(f.edge_at_execution) AS edge_sum,
           min(f.status_since) AS first_closed_at,
           max(f.status_since) AS last_closed_at,
           sum(CASE f.side WHEN 'no' THEN c.closing_no_price ELSE c.closing_yes_price END - f.entry_price) AS clv_sum,
           count(CASE f.side WHEN 'no' THEN c.closing_no_price ELSE c.closing_yes_price END - f.entry_price)
               AS clv_positions
    FROM position_facts f
    LEFT JOIN market_closes c ON c.market_id = f.market_id
    WHERE f.status IN ('closed', 'settled')
      AND (CAST(:since AS timestamp) IS NULL OR f.status_since >= CAST(:since AS timestamp))
      AND (CAST(:until AS timestamp) IS NULL OR f.status_since < CAST(:until AS timestamp))
      AND (CAST(:strategy_name AS text) IS NULL OR f.strategy_id IN (
               SELECT strategy_id FROM strategies WHERE strategy_name = CAST(:strategy_name AS text)))
      AND (CAST(:model_name AS text) IS NULL OR f.model_id IN (
               SELECT model_id FROM probability_models WHERE model_name = CAST(:model_name AS text)))
    GROUP BY f.strategy_id, f.model_id, f.execution_mode
) r
JOIN strategies s ON s.strategy_id = r.strategy_id
JOIN probability_models pm ON pm.model_id = r.model_id
ORDER BY s.strategy_name, s.strategy_version, pm.model_name, pm.model_version, r.execution_mode;
