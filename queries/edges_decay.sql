-- Edge decay: did the edges we traded survive until the market closed? For every entry trade
-- (side 'buy', with the edge_id that triggered it) on a market that has closed or settled: the
-- edge at entry (that edge's expected value) against the edge at the market's close -- the last
-- edge of the same market x strategy x model computed at or before the close -- grouped by the
-- time to expiry at entry.
--   close: the event's scheduled end (events.end_time), else the valid-from of the market's
--     current row (the moment it stopped being open).
--   edge at close: the key's current edge row when it is from before the close (one probe of
--     the one-current-row index), else the newest earlier row (rare: an edge computed after the
--     close).
-- Parameters: :since (TIMESTAMP UTC or NULL = all time: entries at or after it; a window keeps
--   the work proportional to the trades shown, not to all history), :strategy_name, :model_name
--   (text or NULL = any); :sports, :platforms (text[] or NULL = any).
-- Returns one row per bucket that has trades: bucket (0..7, in order), bucket_label,
--   traded_edges, mean_entry_edge, mean_close_edge, median_entry_edge, median_close_edge,
--   share_still_positive (fraction of traded edges whose edge at close was still > 0).
WITH entries AS MATERIALIZED (  -- start from the window's entries (idx_trades_created), whatever
                                -- the planner guesses about how many markets have closed
    SELECT t.trade_id, t.created_at, t.market_id, t.edge_id
    FROM trades t
    WHERE t.side = 'buy' AND t.edge_id IS NOT NULL
      AND (CAST(:since AS timestamp) IS NULL OR t.created_at >= CAST(:since AS timestamp))
),
traded AS (
    SELECT t.trade_id, t.created_at AS entered_at, e0.market_id, e0.strategy_id, e0.model_id,
           e0.expected_value AS entry_edge, coalesce(ev.end_time, m.created_at) AS closed_at
    FROM entries t
    JOIN current_markets m ON m.market_id = t.market_id
    JOIN edges e0 ON e0.edge_id = t.edge_id
    LEFT JOIN events ev ON ev.event_id = m.event_id
    LEFT JOIN strategies s ON s.strategy_id = e0.strategy_id
    LEFT JOIN probability_models pm ON pm.model_id = e0.model_id
    WHERE m.status <> 'open'
      AND (CAST(:strategy_name AS text) IS NULL OR s.strategy_name = CAST(:strategy_name AS text))
      AND (CAST(:model_name AS text) IS NULL OR pm.model_name = CAST(:model_name AS text))
      AND (CAST(:sports AS text[]) IS NULL OR coalesce(ev.subcategory, ev.category) = ANY (CAST(:sports AS text[])))
      AND (CAST(:platforms AS text[]) IS NULL OR m.platform_id = ANY (CAST(:platforms AS text[])))
),
paired AS MATERIALIZED (  -- once per trade, not once per aggregate below
    SELECT tr.entry_edge, c.close_edge,
           width_bucket(extract(epoch FROM tr.closed_at - tr.entered_at) / 3600.0,
                        ARRAY[1, 3, 6, 12, 24, 72, 168]::numeric[]) AS bucket
    FROM traded tr
    CROSS JOIN LATERAL (
        SELECT coalesce(
            (SELECT cur.expected_value FROM edges cur
              WHERE cur.row_current_ind AND cur.market_id = tr.market_id
                AND coalesce(cur.strategy_id, 0) = coalesce(tr.strategy_id, 0)
                AND coalesce(cur.model_id, 0) = coalesce(tr.model_id, 0)
                AND cur.created_at <= tr.closed_at),
            (SELECT e1.expected_value FROM edges e1
              WHERE e1.market_id = tr.market_id
                AND e1.strategy_id IS NOT DISTINCT FROM tr.strategy_id
                AND e1.model_id IS NOT DISTINCT FROM tr.model_id
                AND e1.created_at <= tr.closed_at
              ORDER BY e1.created_at DESC, e1.edge_id DESC LIMIT 1)) AS close_edge
    ) c
)
SELECT p.bucket,
       (ARRAY['under 1 h', '1-3 h', '3-6 h', '6-12 h', '12-24 h', '1-3 days', '3-7 days', '7 days or more'])[p.bucket + 1] AS bucket_label,
       count(*) AS traded_edges,
       avg(p.entry_edge) AS mean_entry_edge,
       avg(p.close_edge) AS mean_close_edge,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY p.entry_edge) AS median_entry_edge,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY p.close_edge) AS median_close_edge,
       avg(CASE WHEN p.close_edge > 0 THEN 1.0 ELSE 0.0 END) AS share_still_positive
FROM paired p
WHERE p.close_edge IS NOT NULL
GROUP BY p.bucket
ORDER BY p.bucket;
