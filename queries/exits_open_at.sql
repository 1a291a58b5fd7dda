-- Positions that were open at a moment, each as its row of that moment held it, with its P&L as
-- of that moment: realized so far (that row's realized_pnl, fees included) and unrealized marked
-- to the held contract's last quote at or before the moment (the row's monitored price when the
-- market had none yet).
-- Parameters: :at (TIMESTAMP, UTC); platform, strategy_id, model_id (each NULL = no filter; the
--   versions of the position's opening buy); :max_rows (how many at most).
-- Returns, oldest opening first: position_id, market_id, ticker, platform_id, side, execution_mode,
--   strategy, model (version labels), opened_at, quantity (held then), entry_price, price_then,
--   quoted_at (TIMESTAMP of that quote), unrealized_pnl, realized_pnl (DECIMAL), stop_price (the
--   trailing stop's level then, NULL while inactive), and over every matching position (not only
--   those returned): open_count, total_unrealized_pnl, total_realized_pnl.
WITH open_then AS (  -- by the range index on each position's open span
    SELECT f.position_id, f.strategy_id, f.model_id, f.opened_at
    FROM position_facts f
    WHERE position_open_span(f.opened_at, f.status, f.status_since) @> CAST(:at AS timestamp)
      AND (CAST(:strategy_id AS int) IS NULL OR f.strategy_id = CAST(:strategy_id AS int))
      AND (CAST(:model_id AS int) IS NULL OR f.model_id = CAST(:model_id AS int))
),
rows_then AS (
    SELECT o.position_id, o.strategy_id, o.model_id, o.opened_at, p.market_id, p.platform_id, p.side, p.execution_mode,
           p.quantity, p.entry_price, p.realized_pnl, p.current_price, p.trailing_stop_state
    FROM open_then o
    CROSS JOIN LATERAL (SELECT p.* FROM positions p
                        WHERE p.position_id = o.position_id AND p.created_at <= CAST(:at AS timestamp)
                        ORDER BY p.created_at DESC, p.id DESC LIMIT 1) p
    WHERE p.status = 'open' AND (CAST(:platform AS text) IS NULL OR p.platform_id = CAST(:platform AS text))
),
priced AS (
    SELECT r.*, coalesce(CASE r.side WHEN 'yes' THEN q.yes_price ELSE q.no_price END, r.current_price) AS price_then,
           q.created_at AS quoted_at
    FROM rows_then r
    LEFT JOIN LATERAL (SELECT m.yes_price, m.no_price, m.created_at FROM markets m
                       WHERE m.market_id = r.market_id AND m.created_at <= CAST(:at AS timestamp)
                       ORDER BY m.created_at DESC, m.id DESC LIMIT 1) q ON true
)
SELECT p.position_id, p.market_id, m.ticker, p.platform_id, p.side, p.execution_mode,
       s.strategy_name || ' ' || s.strategy_version AS strategy, pm.model_name || ' ' || pm.model_version AS model,
       p.opened_at, p.quantity, p.entry_price, p.price_then, p.quoted_at,
       (p.price_then - p.entry_price) * p.quantity AS unrealized_pnl, p.realized_pnl,
       CASE WHEN jsonb_typeof(p.trailing_stop_state -> 'current_stop_price') = 'number'
            THEN (p.trailing_stop_state ->> 'current_stop_price')::numeric END AS stop_price,
       count(*) OVER () AS open_count,
       sum((p.price_then - p.entry_price) * p.quantity) OVER () AS total_unrealized_pnl,
       sum(p.realized_pnl) OVER () AS total_realized_pnl
FROM priced p
LEFT JOIN markets m ON m.market_id = p.market_id AND m.row_current_ind
LEFT JOIN strategies s ON s.strategy_id = p.strategy_id
LEFT JOIN probability_models pm ON pm.model_id = p.model_id
ORDER BY p.opened_at, p.position_id
LIMIT CAST(:max_rows AS int);
