-- Trade-based results per strategy version x execution mode, from closed positions (see
-- ab_closed_positions in schema.sql: attribution, cost, return, CLV). Sufficient statistics
-- (n, sum, sum of squares) rather than averages, so the page's tests run from these rows alone.
-- Drawdown runs over realized P&L in order of closing (peak starts at 0); a losing streak is a
-- run of consecutive positions with realized_pnl < 0.
-- Parameters: :strategy_ids (int[]), :since, :until (TIMESTAMP UTC or NULL: closed in [since, until)).
-- Returns: strategy_id, execution_mode, trades (fills of these positions), positions_closed, wins
--   (realized_pnl > 0), losses (< 0), return_sum, return_sum_sq (float), realized_pnl, cost,
--   gross_profit, gross_loss (DECIMAL, both >= 0), max_drawdown (DECIMAL, >= 0),
--   longest_losing_streak, avg_edge (DECIMAL: edge_at_execution of the opening buys),
--   clv_positions (positions whose market has closed), avg_clv (DECIMAL: closing - entry price),
--   first_closed_at, last_closed_at.
WITH ordered AS (
    -- one ordering serves both: the running P&L, and the number of non-losing positions so far
    -- (a losing streak is the losses that share that number)
    SELECT c.*,
           sum(c.realized_pnl) OVER run AS cumulative_pnl,
           count(*) FILTER (WHERE NOT c.realized_pnl < 0) OVER run AS streak_id
    FROM ab_closed_positions(CAST(:strategy_ids AS int[]), CAST(:since AS timestamp), CAST(:until AS timestamp)) c
    WINDOW run AS (PARTITION BY c.strategy_id, c.execution_mode ORDER BY c.closed_at, c.position_id)
),
drawdowns AS MATERIALIZED (
    SELECT o.*, greatest(0, max(o.cumulative_pnl) OVER run) - o.cumulative_pnl AS drawdown
    FROM ordered o
    WINDOW run AS (PARTITION BY o.strategy_id, o.execution_mode ORDER BY o.closed_at, o.position_id)
),
streaks AS (
    SELECT strategy_id, execution_mode, max(length) AS longest_losing_streak
    FROM (SELECT strategy_id, execution_mode, streak_id, count(*) AS length
          FROM drawdowns WHERE realized_pnl < 0
          GROUP BY strategy_id, execution_mode, streak_id) runs
    GROUP BY strategy_id, execution_mode
)
SELECT d.strategy_id, d.execution_mode,
       sum(d.fills) AS trades,
       count(*) AS positions_closed,
       count(*) FILTER (WHERE d.realized_pnl > 0) AS wins,
       count(*) FILTER (WHERE d.realized_pnl < 0) AS losses,
       sum(d.ret) AS return_sum,
       sum(d.ret * d.ret) AS return_sum_sq,
       sum(d.realized_pnl) AS realized_pnl,
       sum(d.cost) AS cost,
       coalesce(sum(d.realized_pnl) FILTER (WHERE d.realized_pnl > 0), 0) AS gross_profit,
       coalesce(-sum(d.realized_pnl) FILTER (WHERE d.realized_pnl < 0), 0) AS gross_loss,
       max(d.drawdown) AS max_drawdown,
       coalesce(max(s.longest_losing_streak), 0) AS longest_losing_streak,
       avg(d.edge_at_execution) AS avg_edge,
       count(d.closing_price) AS clv_positions,
       avg(d.closing_price - d.entry_price) AS avg_clv,
       min(d.closed_at) AS first_closed_at,
       max(d.closed_at) AS last_closed_at
FROM drawdowns d
LEFT JOIN streaks s USING (strategy_id, execution_mode)
GROUP BY d.strategy_id, d.execution_mode
ORDER BY d.strategy_id, d.execution_mode;
