-- Edge decay: did the edges we traded survive until the market closed? For every entry trade
-- (side 'buy', with the edge_id that triggered it) on a market that has closed or settled: the
-- edge at entry (that edge's expected value) against the edge at the market's close -- the last
-- edge of the same market x strategy x model computed at or before the close -- grouped by the
-- time to expiry at entry.
--   close: the event's scheduled end (events.end_time), else the valid-from of the market's
--     current row (the moment it stopped being open).
--   edge at close: the newest edge of the key computed at or before the close.
-- Each trade's pair is kept by the database in edge_decay_facts (schema.sql), written as trades,
-- markets, edges and events are; this file only filters, buckets and aggregates.
-- Parameters: :since (TIMESTAMP UTC or NULL = all time: entries at or after it), :strategy_name, :model_name
--   (text or NULL = any); :sports, :platforms (text[] or NULL = any).
-- Returns one row per bucket that has trades: bucket (0..7, in order), bucket_label,
--   traded_edges, mean_entry_edge, mean_close_edge, median_entry_edge, median_close_edge,
--   share_still_positive (fraction of traded edges whose edge at close was still > 0).
WITH paired AS MATERIALIZED (  -- once per trade, not once per aggregate below
    SELECT d.entry_edge, d.close_edge,
           width_bucket(extract(epoch FROM d.closed_at - d.entered_at) / 3600.0,
                        ARRAY[1, 3, 6, 12, 24, 72, 168]::numeric[]) AS bucket
    FROM edge_decay_facts d
    LEFT JOIN strategies s ON s.strategy_id = d.strategy_id
    LEFT JOIN probability_models pm ON pm.model_id = d.model_id
    WHERE (CAST(:since AS timestamp) IS NULL OR d.entered_at >= CAST(:since AS timestamp))
      AND (CAST(:strategy_name AS text) IS NULL OR s.strategy_name = CAST(:strategy_name AS text))
      AND (CAST(:model_name AS text) IS NULL OR pm.model_name = CAST(:model_name AS text))
      AND (CAST(:sports AS text[]) IS NULL OR d.sport = ANY (CAST(:sports AS text[])))
      AND (CAST(:platforms AS text[]) IS NULL OR d.platform_id = ANY (CAST(:platforms AS text[])))
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
