-- Headline numbers for the Overview page.
-- Parameters: none.
-- Returns one row: active_models, active_strategies, open_positions, unrealized_pnl (DECIMAL),
--   realized_pnl_live (DECIMAL, every closed or settled live position), newest_market_update
--   (TIMESTAMP, UTC), database_now (TIMESTAMP, UTC: to compute the data's age on the server's clock).
SELECT
    (SELECT count(*) FROM active_models) AS active_models,
    (SELECT count(*) FROM active_strategies) AS active_strategies,
    (SELECT count(*) FROM open_positions) AS open_positions,
    (SELECT coalesce(sum(unrealized_pnl), 0) FROM open_positions) AS unrealized_pnl,
    (SELECT coalesce(sum(d.realized_pnl), 0)
       FROM position_days_stored d  -- realized P&L per day closed, stored (schema.sql)
      WHERE d.execution_mode = 'live') AS realized_pnl_live,
    (SELECT max(updated_at) FROM markets WHERE row_current_ind) AS newest_market_update,
    (NOW() AT TIME ZONE 'UTC')::timestamp AS database_now;
