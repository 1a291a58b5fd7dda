-- Realized P&L per day of closing, paper and live apart, with its running total.
-- Parameters: none.
-- Returns: day (DATE), execution_mode ('paper' | 'live'), positions_closed, realized_pnl (DECIMAL),
--   cumulative_pnl (DECIMAL). Ordered by execution_mode, day.
SELECT day, execution_mode, positions_closed, realized_pnl,
       sum(realized_pnl) OVER (PARTITION BY execution_mode ORDER BY day) AS cumulative_pnl
FROM (
    -- position_facts holds each position's current row (schema.sql): one index-only scan
    SELECT status_since::date AS day, execution_mode, count(*) AS positions_closed, sum(realized_pnl) AS realized_pnl
    FROM position_facts
    WHERE status IN ('closed', 'settled')
    GROUP BY 1, 2
) daily
ORDER BY execution_mode, day;
