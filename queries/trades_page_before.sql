-- Trade attribution, "previous page": where the page before the one starting at :start_id
-- starts. Walks the keyset the other way (ascending, the same index read backwards).
-- The filter is trades_matching() in schema.sql (see trades_page.sql).
-- Parameters: as trades_page.sql (:since, :until, :strategy_name, :strategy_version, :model_name,
--   :model_version, :market, :platform_id, :side, :execution_mode), :start_id (INT, required),
--   :page_size (INT).
-- Returns one row: previous_start_id (INT: the :page_size-th matching trade newer than the start,
--   counting up from it; NULL when there are fewer), newer_rows (how many matching trades are
--   newer than the start, at most :page_size + 1; :page_size or fewer means the previous page is
--   the first one, the page with no start).
WITH newer AS (
    SELECT ta.trade_id, ta.created_at
    FROM trades_matching(CAST(:since AS timestamp), CAST(:until AS timestamp), CAST(:strategy_name AS text),
                         CAST(:strategy_version AS text), CAST(:model_name AS text), CAST(:model_version AS text),
                         CAST(:market AS text), CAST(:platform_id AS text), CAST(:side AS text),
                         CAST(:execution_mode AS text)) ta
    WHERE (ta.created_at, ta.trade_id) > (SELECT t.created_at, t.trade_id FROM trades t
                                           WHERE t.trade_id = CAST(:start_id AS int))
    ORDER BY ta.created_at, ta.trade_id
    LIMIT CAST(:page_size AS int) + 1
),
numbered AS (
    SELECT n.trade_id, row_number() OVER (ORDER BY n.created_at, n.trade_id) AS position FROM newer n
)
SELECT (SELECT x.trade_id FROM numbered x WHERE x.position = CAST(:page_size AS int)) AS previous_start_id,
       (SELECT count(*) FROM newer) AS newer_rows;
