-- The closed positions of strategy versions, one row each, for the A/B page's numbers
-- (analytics/ab_positions.py: per-version sums, drawdown, losing streak, weekly running totals,
-- daily P&L, return histogram). See ab_closed_positions in schema.sql: attribution to the first
-- buy, cost, return, closing line. One read instead of one per number: the page's four
-- statements each read these rows again.
-- Read with queries.fetch_bulk (COPY as CSV). Numbers only, and few of them: parsing 10K rows dominated the read (a timestamp or a Decimal
-- per row cost more than the database's own 15 ms). Money comes as whole ten-thousandths
-- (bigint): every money column has scale 4 (DECIMAL(10,4), or such a price times a whole
-- quantity), so the units are exact, and so are their sums in Python.
-- Parameters: :strategy_ids (int[]), :since, :until (TIMESTAMP UTC or NULL: closed in [since, until)).
-- Returns: position_id, strategy_id, model_id (of the opening buy), execution_mode, fills, closed_us
--   (microseconds since 1970, UTC: the closing time exactly), ret (float: realized P&L / cost),
--   and in ten-thousandths: cost_units, pnl_units (realized P&L), edge_units (the opening buy's
--   edge), clv_units (closing line minus entry price; NULL until the market closed), entry_units
--   (the entry price: with the edge, what was known when the position was opened, for the
--   regression adjustment); market_key (a 64-bit hash of the market id: the sample-ratio check
--   counts each version's markets, and a number parses faster than the id's text; two of 40K
--   markets share a hash with probability 1e-10). Unordered:
--   analytics/ab_positions.in_closing_order sorts them (sorting here, on a text column, was a
--   third of the statement's time).
SELECT c.position_id, c.strategy_id, c.model_id, c.execution_mode, c.fills::int AS fills,
       (extract(epoch FROM c.closed_at) * 1000000)::bigint AS closed_us, c.ret,
       (c.cost * 10000)::bigint AS cost_units,
       (c.realized_pnl * 10000)::bigint AS pnl_units,
       (c.edge_at_execution * 10000)::int AS edge_units,
       ((c.closing_price - c.entry_price) * 10000)::int AS clv_units,
       (c.entry_price * 10000)::int AS entry_units,
       hashtextextended(c.market_id, 0) AS market_key
FROM ab_closed_positions(CAST(:strategy_ids AS int[]), CAST(:since AS timestamp), CAST(:until AS timestamp)) c;
