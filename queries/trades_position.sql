-- A trade's position as it stands now (its current SCD row), with when it was opened.
-- Parameters: :position_id (INT).
-- Returns zero rows or one: position_id, market_id, platform_id, side ('yes' | 'no': the contract
--   held), status, entry_price, quantity (still held), fees, current_price, unrealized_pnl,
--   realized_pnl (DECIMAL; on a closed position, its total realized P&L, fees included),
--   exit_reason, exit_priority, execution_mode, opened_at (first row's valid-from), updated_at
--   (this row's valid-from), history_rows (how many SCD rows the position has).
SELECT p.position_id, p.market_id, p.platform_id, p.side, p.status, p.entry_price, p.quantity, p.fees,
       p.current_price, p.unrealized_pnl, p.realized_pnl, p.exit_reason, p.exit_priority, p.execution_mode,
       h.opened_at, p.created_at AS updated_at, h.history_rows
FROM positions p
CROSS JOIN LATERAL (
    SELECT min(x.created_at) AS opened_at, count(*) AS history_rows
    FROM positions x WHERE x.position_id = p.position_id
) h
WHERE p.position_id = CAST(:position_id AS int) AND p.row_current_ind;
