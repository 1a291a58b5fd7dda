-- Stored ROI (strategies.paper_roi / live_roi, written by the trading system) next to the ROI
-- recomputed from all closed positions of the version (all time, whatever the page's dates):
-- sum(realized_pnl) / sum(cost), rounded like the stored figure (4 places).
-- Parameters: :strategy_ids (int[]).
-- Returns: strategy_id, execution_mode ('paper' | 'live'), stored_roi, recomputed_roi (DECIMAL or
--   NULL), positions_closed.
SELECT s.strategy_id, m.execution_mode,
       CASE m.execution_mode WHEN 'paper' THEN s.paper_roi ELSE s.live_roi END AS stored_roi,
       round(r.realized_pnl / nullif(r.cost, 0), 4) AS recomputed_roi,
       coalesce(r.positions_closed, 0) AS positions_closed
FROM strategies s
CROSS JOIN (VALUES ('live'), ('paper')) m(execution_mode)
LEFT JOIN (
    SELECT strategy_id, execution_mode, sum(realized_pnl) AS realized_pnl, sum(cost) AS cost, count(*) AS positions_closed
    FROM ab_closed_positions(CAST(:strategy_ids AS int[]), NULL, NULL)
    GROUP BY strategy_id, execution_mode
) r ON r.strategy_id = s.strategy_id AND r.execution_mode = m.execution_mode
WHERE s.strategy_id = ANY (CAST(:strategy_ids AS int[]))
ORDER BY s.strategy_id, m.execution_mode;
