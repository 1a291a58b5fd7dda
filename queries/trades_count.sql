-- Trade attribution: how many trades match the filters, counted up to :cap (a ten-year range
-- answers as fast as a day's: the count stops at the cap and the page says "more than").
-- The filter is trades_matching() in schema.sql (see trades_page.sql).
-- Parameters: as trades_page.sql (:since, :until, :strategy_name, :strategy_version, :model_name,
--   :model_version, :market, :platform_id, :side, :execution_mode), :cap (INT).
-- Returns one row: trades (at most :cap), oldest_trade_at and newest_trade_at (TIMESTAMP UTC: of
--   every trade in the database, whatever the filters; NULL when there are none) so an empty
--   answer can say where the data is.
-- Plan: for its values on every call (as trades_page.sql).
SELECT count(*) AS trades,
       (SELECT min(t.created_at) FROM trades t) AS oldest_trade_at,
       (SELECT max(t.created_at) FROM trades t) AS newest_trade_at
FROM (
    SELECT 1
    FROM trades_matching(CAST(:since AS timestamp), CAST(:until AS timestamp), CAST(:strategy_name AS text),
                         CAST(:strategy_version AS text), CAST(:model_name AS text), CAST(:model_version AS text),
                         CAST(:market AS text), CAST(:platform_id AS text), CAST(:side AS text),
                         CAST(:execution_mode AS text)) ta
    ORDER BY ta.created_at DESC, ta.trade_id DESC
    LIMIT CAST(:cap AS int)
) x;
