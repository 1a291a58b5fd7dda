-- Where each closed position of the A/B page's strategy versions traded: the segments its
-- verdict is broken down by (analytics/ab_segments.py). The same positions as
-- ab_closed_positions.sql (closed or settled, closed in [since, until)), joined by position_id.
--   sport: the event's subcategory, else its category (as on the Current edges page); NULL when
--     the market names no event.
--   platform_id: the platform of the market's current row.
--   expiry_hours: time to expiry at entry, in hours: from the position's opening (its first row)
--     to the event's scheduled end (events.end_time), else to when the market stopped being open
--     (market_closes.closed_at); NULL when neither is known.
-- Read with queries.fetch_bulk (COPY as CSV): numbers and short codes only.
-- Parameters: :strategy_ids (int[]), :since, :until (TIMESTAMP UTC or NULL).
-- Returns: position_id, sport, platform_id, expiry_hours (float). Unordered.
SELECT f.position_id, coalesce(ev.subcategory, ev.category) AS sport, m.platform_id,
       (extract(epoch FROM coalesce(ev.end_time, c.closed_at) - f.opened_at) / 3600)::float8 AS expiry_hours
FROM position_facts f
LEFT JOIN markets m ON m.market_id = f.market_id AND m.row_current_ind
LEFT JOIN events ev ON ev.event_id = m.event_id
LEFT JOIN market_closes c ON c.market_id = f.market_id
WHERE f.strategy_id = ANY (CAST(:strategy_ids AS int[])) AND f.status IN ('closed', 'settled')
  AND (CAST(:since AS timestamp) IS NULL OR f.status_since >= CAST(:since AS timestamp))
  AND (CAST(:until AS timestamp) IS NULL OR f.status_since < CAST(:until AS timestamp));
