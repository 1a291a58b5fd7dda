-- The positions behind alerts: an alert names a position when its source_table is 'positions'
-- (source_id = positions.position_id) or its details hold "position_id"; it names a market when
-- its source_table is 'markets' (source_id = markets.id, any row of that market) or its details
-- hold "market_id", and then every position on that market is behind it. Each position's current
-- row, whatever its status (a closed one has nothing at risk; analytics/alerts.py says so).
-- Ids in details are used only when they are whole numbers (position) or text (market), so a
-- malformed details object names nothing rather than failing the queue.
-- Parameters: alert_ids int[] (the queue's open alerts).
-- Returns one row per (alert, position): alert_id, named_by ('position' | 'market'), position_id,
--   market_id, side, status, quantity, entry_price, current_price (DECIMAL; NULL when never marked).
WITH named AS (
    SELECT a.alert_id, a.source_table, a.source_id,
           CASE WHEN jsonb_typeof(a.details) = 'object' THEN a.details END AS details
    FROM alerts a
    WHERE a.alert_id = ANY (CAST(:alert_ids AS int[]))
),
positions_named AS (
    SELECT n.alert_id, n.source_id AS position_id FROM named n WHERE n.source_table = 'positions' AND n.source_id IS NOT NULL
    UNION
    SELECT n.alert_id, (n.details ->> 'position_id')::int
    FROM named n
    WHERE jsonb_typeof(n.details -> 'position_id') IN ('number', 'string')
      AND n.details ->> 'position_id' ~ '^[0-9]{1,9}$'
),
markets_named AS (
    SELECT n.alert_id, m.market_id
    FROM named n JOIN markets m ON m.id = n.source_id
    WHERE n.source_table = 'markets'
    UNION
    SELECT n.alert_id, n.details ->> 'market_id'
    FROM named n
    WHERE jsonb_typeof(n.details -> 'market_id') = 'string'
)
SELECT x.alert_id, x.named_by, p.position_id, p.market_id, p.side, p.status, p.quantity, p.entry_price,
       p.current_price
FROM (
    SELECT pn.alert_id, 'position' AS named_by, pn.position_id FROM positions_named pn
    UNION
    SELECT mn.alert_id, 'market', p.position_id
    FROM markets_named mn JOIN positions p ON p.market_id = mn.market_id AND p.row_current_ind
) x
JOIN positions p ON p.position_id = x.position_id AND p.row_current_ind
ORDER BY x.alert_id, p.position_id;
