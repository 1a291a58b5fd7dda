-- Current edges on open markets, summarised three ways in one pass (GROUPING SETS):
--   part = 'ev_bucket': the distribution of expected value over EVERY current edge that passes
--     the other filters, in 0.01-wide buckets, split at the threshold (above = EV >= :min_ev), so
--     the chart shows what lies just under the threshold too;
--   part = 'version': the edges at or above the threshold per strategy version x model version;
--   part = 'total': one row, the edges at or above the threshold all together.
-- The filter (bar :min_ev) is open_market_edges_matching() in schema.sql, as in edges_current.sql.
-- Parameters: as edges_current.sql (:min_ev, :confidence, :actions, :sports, :platforms,
--   :strategy_name, :model_name).
-- Returns: part, ev_bucket (NUMERIC lower edge of the bucket) and above (BOOLEAN) on bucket
--   rows, strategy_name, strategy_version, model_name, model_version on version rows (NULL
--   elsewhere), edges (count: on version and total rows only those above the threshold),
--   mean_ev, max_ev (DECIMAL, of the counted edges), markets (distinct markets counted),
--   newest_quote_at (TIMESTAMP UTC, of the counted edges), database_now (TIMESTAMP UTC: the
--   server's clock, to tell the quotes' age).
WITH open_edges AS (
    SELECT o.market_id, o.expected_value, o.quoted_at AS created_at, floor(o.expected_value * 100) / 100 AS ev_bucket,
           o.expected_value >= CAST(:min_ev AS numeric) AS above,
           o.strategy_name, o.strategy_version, o.model_name, o.model_version
    FROM open_market_edges_matching(CAST(:confidence AS text[]), CAST(:actions AS text[]),
                                    CAST(:sports AS text[]), CAST(:platforms AS text[]),
                                    CAST(:strategy_name AS text), CAST(:model_name AS text)) o
)
SELECT CASE WHEN GROUPING(ev_bucket) = 0 THEN 'ev_bucket'
            WHEN GROUPING(strategy_name) = 0 THEN 'version' ELSE 'total' END AS part,
       ev_bucket, above, strategy_name, strategy_version, model_name, model_version,
       CASE WHEN GROUPING(ev_bucket) = 0 THEN count(*) ELSE count(*) FILTER (WHERE above) END AS edges,
       CASE WHEN GROUPING(ev_bucket) = 0 THEN avg(expected_value)
            ELSE avg(expected_value) FILTER (WHERE above) END AS mean_ev,
       CASE WHEN GROUPING(ev_bucket) = 0 THEN max(expected_value)
            ELSE max(expected_value) FILTER (WHERE above) END AS max_ev,
       CASE WHEN GROUPING(ev_bucket) = 0 THEN count(DISTINCT market_id)
            ELSE count(DISTINCT market_id) FILTER (WHERE above) END AS markets,
       CASE WHEN GROUPING(ev_bucket) = 0 THEN max(created_at)
            ELSE max(created_at) FILTER (WHERE above) END AS newest_quote_at,
       (now() AT TIME ZONE 'UTC')::timestamp AS database_now
FROM open_edges
GROUP BY GROUPING SETS ((ev_bucket, above), (strategy_name, strategy_version, model_name, model_version), ())
HAVING GROUPING(strategy_name) = 1 OR count(*) FILTER (WHERE above) > 0
ORDER BY part, ev_bucket, above, strategy_name, strategy_version, model_name, model_version;
