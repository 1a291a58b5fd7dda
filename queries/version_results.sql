-- Realized results of closed positions per strategy version x model version x execution mode,
-- attributed by the position's opening trade. Sums, not averages, so callers can regroup
-- (per strategy version, per model version, or the strategy x model matrix) exactly.
-- Parameters: :strategy_name (text or NULL = all), :model_name (text or NULL = all),
--   :since, :until (TIMESTAMP UTC or NULL: positions closed in [since, until)).
-- Returns: strategy_id, strategy_name, strategy_version, model_id, model_name, model_version,
--   execution_mode, trades (entry and exit trades of these positions), positions_closed, wins,
--   realized_pnl (DECIMAL), cost (DECIMAL: entry price x quantity), edge_sum (DECIMAL: sum of
--   edge_at_execution of the opening trades), first_closed_at, last_closed_at.
WITH closed AS (
    SELECT p.position_id, p.realized_pnl, p.created_at AS closed_at, p.execution_mode
    FROM positions p
    WHERE p.row_current_ind AND p.status IN ('closed', 'settled')
      AND (CAST(:since AS timestamp) IS NULL OR p.created_at >= CAST(:since AS timestamp))
      AND (CAST(:until AS timestamp) IS NULL OR p.created_at < CAST(:until AS timestamp))
),
opening AS (  -- the position's first buy, from position_facts (schema.sql)
    SELECT c.position_id, f.fills, t.strategy_id, t.model_id, t.price, t.quantity, t.edge_at_execution
    FROM closed c
    JOIN position_facts f ON f.position_id = c.position_id
    JOIN trades t ON t.trade_id = f.opening_trade_id
)
SELECT s.strategy_id, s.strategy_name, s.strategy_version, pm.model_id, pm.model_name, pm.model_version,
       c.execution_mode,
       sum(o.fills) AS trades,
       count(*) AS positions_closed,
       count(*) FILTER (WHERE c.realized_pnl > 0) AS wins,
       sum(c.realized_pnl) AS realized_pnl,
       sum(o.price * o.quantity) AS cost,
       sum(o.edge_at_execution) AS edge_sum,
       min(c.closed_at) AS first_closed_at,
       max(c.closed_at) AS last_closed_at
FROM closed c
JOIN opening o USING (position_id)
JOIN strategies s ON s.strategy_id = o.strategy_id
JOIN probability_models pm ON pm.model_id = o.model_id
WHERE (CAST(:strategy_name AS text) IS NULL OR s.strategy_name = CAST(:strategy_name AS text))
  AND (CAST(:model_name AS text) IS NULL OR pm.model_name = CAST(:model_name AS text))
GROUP BY s.strategy_id, s.strategy_name, s.strategy_version, pm.model_id, pm.model_name, pm.model_version, c.execution_mode
ORDER BY s.strategy_name, s.strategy_version, pm.model_name, pm.model_version, c.execution_mode;
