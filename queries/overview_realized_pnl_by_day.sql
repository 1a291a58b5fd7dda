-- Cumulative realized P&L by day of closing, paper and live apart: the Overview's chart.
-- position_days_stored (schema.sql) holds each day's count and sum, a stored answer refreshed each
-- minute: summing every closed position on each view was 57 ms in the server at ten years.
-- The running total is summed exactly (numeric) and comes as float8 dollars, what the chart draws
-- (as numeric the driver would build a Decimal per day for the page to convert again).
-- Parameters: none.
-- Returns: day (DATE), execution_mode ('paper' | 'live'), cumulative_pnl (float8, dollars).
--   Ordered by execution_mode, day.
SELECT d.day, d.execution_mode,
       (sum(d.realized_pnl) OVER (PARTITION BY d.execution_mode ORDER BY d.day))::float8 AS cumulative_pnl
FROM position_days_stored d
ORDER BY d.execution_mode, d.day;
