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
-- Written once as the function edge_decay() in schema.sql, whose answer for all time without
-- filters is also stored (edges_decay_stored.sql).
SELECT * FROM edge_decay(CAST(:since AS timestamp), CAST(:strategy_name AS text), CAST(:model_name AS text),
                         CAST(:sports AS text[]), CAST(:platforms AS text[]));
