-- The closed positions of strategy versions, one row each, for the A/B page's numbers
-- (analytics/ab_positions.py: per-version sums, drawdown, losing streak, weekly running totals,
-- daily P&L, return histogram). See ab_closed_positions in schema.sql: attribution to the first
-- buy, cost, return, closing line. One read instead of one per number: the page's four
-- statements each read these rows again.
-- Parameters: :strategy_ids (int[]), :since, :until (TIMESTAMP UTC or NULL: closed in [since, until)).
-- Returns: position_id, strategy_id, execution_mode, fills, cost, realized_pnl (DECIMAL), ret
--   (float: realized_pnl / cost), closed_at, edge_at_execution, entry_price, closing_price
--   (DECIMAL: the held side's last open quote; NULL until the market closed); ordered by
--   strategy_id, execution_mode, closed_at, position_id (the order drawdown and streaks run in).
SELECT c.position_id, c.strategy_id, c.execution_mode, c.fills, c.cost, c.realized_pnl, c.ret, c.closed_at,
       c.edge_at_execution, c.entry_price, c.closing_price
FROM ab_closed_positions(CAST(:strategy_ids AS int[]), CAST(:since AS timestamp), CAST(:until AS timestamp)) c
ORDER BY c.strategy_id, c.execution_mode, c.closed_at, c.position_id;
