-- Realized P&L per strategy version per day of closing, and its running total, for one
-- execution mode.
-- Parameters: :strategy_ids (int[]), :since, :until (TIMESTAMP UTC or NULL), :execution_mode.
-- Returns: strategy_id, day (DATE, UTC), positions, realized_pnl, cumulative_pnl (DECIMAL).
SELECT strategy_id, closed_at::date AS day, count(*) AS positions,
       sum(realized_pnl) AS realized_pnl,
       sum(sum(realized_pnl)) OVER (PARTITION BY strategy_id ORDER BY closed_at::date) AS cumulative_pnl
FROM ab_closed_positions(CAST(:strategy_ids AS int[]), CAST(:since AS timestamp), CAST(:until AS timestamp))
WHERE execution_mode = CAST(:execution_mode AS text)
GROUP BY strategy_id, closed_at::date
ORDER BY day, strategy_id;
