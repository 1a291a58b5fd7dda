-- When each summary the database keeps (schema.sql, "Performance at ten years") was last
-- written: the summaries are rewritten by the same statements that write their sources, so this
-- is when their figures last changed. One probe of each table's updated_at index.
-- Parameters: none.
-- Returns: summary (table name), last_written (TIMESTAMPTZ, NULL when the table is empty).
SELECT 'position_facts' AS summary, (SELECT max(updated_at) FROM position_facts) AS last_written
UNION ALL SELECT 'market_closes', (SELECT max(updated_at) FROM market_closes)
UNION ALL SELECT 'edge_decay_facts', (SELECT max(updated_at) FROM edge_decay_facts)
UNION ALL SELECT 'calibration_points', (SELECT max(updated_at) FROM calibration_points)
UNION ALL SELECT 'exit_facts', (SELECT max(updated_at) FROM exit_facts)
UNION ALL SELECT 'exit_orders', (SELECT max(updated_at) FROM exit_orders)
UNION ALL SELECT 'exit_position_facts', (SELECT max(updated_at) FROM exit_position_facts);
