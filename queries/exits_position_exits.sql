-- A position's exits, each with its P&L and what holding those contracts to settlement would
-- have earned instead.
-- Parameters: position_id.
-- Returns: exit_id, created_at, exit_condition, exit_priority, quantity_exited, exit_price,
--   share_of_opening (quantity / opening quantity, 4 places), pnl (DECIMAL: (exit - entry) x
--   quantity, before fees), hold_pnl (DECIMAL: (held side's settlement value - entry) x quantity;
--   NULL until the market settles), saved_by_exiting (pnl - hold_pnl). Ordered by created_at.
SELECT pe.exit_id, pe.created_at, pe.exit_condition, pe.exit_priority, pe.quantity_exited, pe.exit_price,
       round(pe.quantity_exited::numeric / NULLIF(ps.opening_quantity, 0), 4) AS share_of_opening,
       (pe.exit_price - ps.entry_price) * pe.quantity_exited AS pnl,
       (v.held_value - ps.entry_price) * pe.quantity_exited AS hold_pnl,
       (pe.exit_price - v.held_value) * pe.quantity_exited AS saved_by_exiting
FROM position_exits pe
JOIN position_summary ps USING (position_id)
LEFT JOIN markets m ON m.market_id = ps.market_id AND m.row_current_ind
CROSS JOIN LATERAL (
    SELECT CASE WHEN m.status = 'settled' AND m.settlement_value IS NOT NULL THEN
                CASE ps.side WHEN 'yes' THEN m.settlement_value ELSE 1 - m.settlement_value END
           END AS held_value
) v
WHERE pe.position_id = CAST(:position_id AS int)
ORDER BY pe.created_at, pe.exit_id;
