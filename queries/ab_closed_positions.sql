-- The closed positions of strategy versions, one row each, for the A/B page's numbers
-- (analytics/ab_positions.py: per-version sums, drawdown, losing streak, weekly running totals,
-- daily P&L, return histogram). See ab_closed_positions in schema.sql: attribution to the first
-- buy, cost, return, closing line. One read instead of one per number: the page's four
-- statements each read these rows again.
-- Money and prices come as whole ten-thousandths (bigint): every one of these columns has scale 4
-- (DECIMAL(10,4), or such a price times a whole quantity), so the units are exact, and sums of
-- them stay exact in Python without building a Decimal per row (which cost more than the read).
-- Parameters: :strategy_ids (int[]), :since, :until (TIMESTAMP UTC or NULL: closed in [since, until)).
-- Returns: position_id, strategy_id, execution_mode, fills, closed_at, ret (float: realized P&L /
--   cost), and in ten-thousandths: cost_units, pnl_units (realized P&L), edge_units (the opening
--   buy's edge), entry_units (entry price), closing_units (the held side's last open quote; NULL
--   until the market closed); ordered by strategy_id, execution_mode, closed_at, position_id
--   (the order drawdown and streaks run in).
SELECT c.position_id, c.strategy_id, c.execution_mode, c.fills, c.closed_at, c.ret,
       (c.cost * 10000)::bigint AS cost_units,
       (c.realized_pnl * 10000)::bigint AS pnl_units,
       (c.edge_at_execution * 10000)::bigint AS edge_units,
       (c.entry_price * 10000)::bigint AS entry_units,
       (c.closing_price * 10000)::bigint AS closing_units
FROM ab_closed_positions(CAST(:strategy_ids AS int[]), CAST(:since AS timestamp), CAST(:until AS timestamp)) c
ORDER BY c.strategy_id, c.execution_mode, c.closed_at, c.position_id;
