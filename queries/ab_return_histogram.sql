-- Distribution of the return per closed position (realized_pnl / cost), per strategy version, in
-- :bins equal bins shared by all the versions (from the lowest to the highest return among them),
-- for one execution mode. Empty bins are not returned.
-- Parameters: :strategy_ids (int[]), :since, :until (TIMESTAMP UTC or NULL), :execution_mode,
--   :bins (int >= 1).
-- Returns: strategy_id, bin (1..bins), bin_low, bin_high (float), positions.
WITH closed AS (
    SELECT c.strategy_id, c.ret
    FROM ab_closed_positions(CAST(:strategy_ids AS int[]), CAST(:since AS timestamp), CAST(:until AS timestamp)) c
    WHERE c.execution_mode = CAST(:execution_mode AS text) AND c.ret IS NOT NULL
),
bounds AS (
    -- equal lowest and highest (one distinct return) still make one bin of width 1e-6
    SELECT min(ret) AS low, greatest(max(ret), min(ret) + 1e-6) AS high, CAST(:bins AS int) AS bins FROM closed
)
SELECT c.strategy_id, b.bin,
       x.low + (x.high - x.low) * (b.bin - 1) / x.bins AS bin_low,
       x.low + (x.high - x.low) * b.bin / x.bins AS bin_high,
       count(*) AS positions
FROM closed c
CROSS JOIN bounds x
-- width_bucket puts the highest value in bin bins + 1: it belongs to the last bin
CROSS JOIN LATERAL (SELECT least(width_bucket(c.ret, x.low, x.high, x.bins), x.bins) AS bin) b
GROUP BY c.strategy_id, b.bin, x.low, x.high, x.bins
ORDER BY c.strategy_id, b.bin;
