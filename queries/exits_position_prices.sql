-- The price of the contract a position holds, from its market's SCD history, around the
-- position's life: from its opening to its end (closing row, settlement, or the market's latest
-- row while open), widened on each side by a fifth of that span (at least ten minutes).
-- Parameters: position_id; max_rows (how many price rows at most, the earliest kept).
-- Returns: valid_from (TIMESTAMP UTC), price (yes_price for a 'yes' position, no_price for
--   'no'), market_status. Ordered by valid_from.
WITH p AS MATERIALIZED (  -- computed once, not per price row
    SELECT ps.market_id, ps.side, ps.opened_at,
           greatest(ps.status_since,
                    CASE WHEN ps.status = 'open' THEN
                         (SELECT max(m.created_at) FROM markets m WHERE m.market_id = ps.market_id) END,
                    (SELECT min(st.created_at) FROM settlements st WHERE st.market_id = ps.market_id)) AS ended_at
    FROM position_summary ps
    WHERE ps.position_id = CAST(:position_id AS int)
),
w AS (
    SELECT market_id, side,
           opened_at - greatest(interval '10 minutes', (ended_at - opened_at) / 5) AS window_start,
           ended_at + greatest(interval '10 minutes', (ended_at - opened_at) / 5) AS window_end
    FROM p
)
SELECT m.created_at AS valid_from,
       CASE w.side WHEN 'yes' THEN m.yes_price ELSE m.no_price END AS price,
       m.status AS market_status
FROM w
JOIN markets m ON m.market_id = w.market_id
WHERE m.created_at <= w.window_end
  AND (m.row_end_ts IS NULL OR m.row_end_ts >= w.window_start)
ORDER BY m.created_at, m.id
LIMIT CAST(:max_rows AS int);
