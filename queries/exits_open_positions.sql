-- Open positions as the exit monitor last saw them, with how stale that look is.
-- Parameters (each NULL = no filter): platform, strategy_id, model_id (the position's
--   opening buy trade); stale_after_seconds (the monitor's cadence); max_rows (how many at most).
-- Returns: position_id, market_id, ticker, platform_id, side, execution_mode, entry_price,
--   quantity, current_price, unrealized_pnl (DECIMAL), unrealized_pnl_pct (fraction),
--   stop_active (BOOLEAN), stop_price, peak_price (from trailing_stop_state; NULL when absent or
--   not a number), last_update (TIMESTAMP UTC), seconds_since_update (against the database's
--   clock), seconds_behind_newest (behind the newest last_update of all open positions), database_now,
--   and over all the filtered open positions (not only the rows returned): open_count,
--   total_unrealized_pnl (DECIMAL), stale_count, lagging_count (older than the newest update by more
--   than stale_after_seconds). Stalest first.
WITH open_now AS (
    SELECT p.*, ps.strategy_id, ps.model_id
    FROM open_positions p
    JOIN position_summary ps USING (position_id)
    WHERE (CAST(:platform AS text) IS NULL OR p.platform_id = CAST(:platform AS text))
      AND (CAST(:strategy_id AS int) IS NULL OR ps.strategy_id = CAST(:strategy_id AS int))
      AND (CAST(:model_id AS int) IS NULL OR ps.model_id = CAST(:model_id AS int))
),
clock AS (
    SELECT (NOW() AT TIME ZONE 'UTC')::timestamp AS database_now,
           (SELECT max(last_update) FROM open_positions) AS newest_update
)
SELECT o.position_id, o.market_id, m.ticker, o.platform_id, o.side, o.execution_mode, o.entry_price,
       o.quantity, o.current_price, o.unrealized_pnl, o.unrealized_pnl_pct,
       CASE WHEN jsonb_typeof(o.trailing_stop_state -> 'active') = 'boolean'
            THEN (o.trailing_stop_state ->> 'active')::boolean END AS stop_active,
       CASE WHEN jsonb_typeof(o.trailing_stop_state -> 'current_stop_price') = 'number'
            THEN (o.trailing_stop_state ->> 'current_stop_price')::numeric END AS stop_price,
       CASE WHEN jsonb_typeof(o.trailing_stop_state -> 'peak_price') = 'number'
            THEN (o.trailing_stop_state ->> 'peak_price')::numeric END AS peak_price,
       o.last_update,
       round(extract(epoch FROM c.database_now - o.last_update)::numeric, 0) AS seconds_since_update,
       round(extract(epoch FROM c.newest_update - o.last_update)::numeric, 0) AS seconds_behind_newest,
       c.database_now,
       count(*) OVER () AS open_count,
       sum(o.unrealized_pnl) OVER () AS total_unrealized_pnl,
       count(*) FILTER (WHERE o.last_update IS NULL OR c.database_now - o.last_update
                              > make_interval(secs => CAST(:stale_after_seconds AS int))) OVER () AS stale_count,
       count(*) FILTER (WHERE o.last_update IS NULL OR c.newest_update - o.last_update
                              > make_interval(secs => CAST(:stale_after_seconds AS int))) OVER () AS lagging_count
FROM open_now o
CROSS JOIN clock c
LEFT JOIN markets m ON m.market_id = o.market_id AND m.row_current_ind
ORDER BY o.last_update NULLS FIRST, o.position_id
LIMIT CAST(:max_rows AS int);
