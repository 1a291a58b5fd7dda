-- When each strategy version was trading: its first and last trade, for the A/B page's default
-- date range (the period in which every chosen version was trading). From position_facts, one
-- row per position kept by the writers of positions and trades, not from trades: a version's
-- trades at ten years are hundreds of thousands of rows with no index on (strategy, time).
-- The first trade is the earliest opening buy; the last is the latest opening buy or close (the
-- closing sell or the settlement). An exit that only reduced a position still open is not seen:
-- it falls between the position's opening and a later trade of the same version, or it is that
-- version's last trade by minutes.
-- Parameters: :strategy_ids (int[]).
-- Returns: strategy_id, first_trade, last_trade (TIMESTAMP UTC); versions without a position are absent.
SELECT f.strategy_id, min(f.opened_at) AS first_trade,
       max(CASE WHEN f.status IN ('closed', 'settled') THEN greatest(f.status_since, f.opened_at)
                ELSE f.opened_at END) AS last_trade
FROM position_facts f
WHERE f.strategy_id = ANY (CAST(:strategy_ids AS int[]))
GROUP BY f.strategy_id;
