-- A position's SCD history: each row's quantity, price and trailing stop, for the timeline.
-- Parameters: position_id.
-- Returns: valid_from (TIMESTAMP UTC), quantity, current_price, status, exit_reason,
--   stop_active, stop_price, peak_price (from trailing_stop_state; NULL when absent or not of
--   the expected JSON type). Ordered by valid_from.
SELECT p.created_at AS valid_from, p.quantity, p.current_price, p.status, p.exit_reason,
       CASE WHEN jsonb_typeof(p.trailing_stop_state -> 'active') = 'boolean'
            THEN (p.trailing_stop_state ->> 'active')::boolean END AS stop_active,
       CASE WHEN jsonb_typeof(p.trailing_stop_state -> 'current_stop_price') = 'number'
            THEN (p.trailing_stop_state ->> 'current_stop_price')::numeric END AS stop_price,
       CASE WHEN jsonb_typeof(p.trailing_stop_state -> 'peak_price') = 'number'
            THEN (p.trailing_stop_state ->> 'peak_price')::numeric END AS peak_price
FROM positions p
WHERE p.position_id = CAST(:position_id AS int)
ORDER BY p.created_at, p.id;
