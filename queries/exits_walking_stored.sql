-- exits_walking.sql without filters, as last stored (schema.sql, "Exits page: its four aggregates"),
-- with computed_at (when it was stored) on every row: the same rows and order as exits_walking.sql.
SELECT v.*, a.computed_at
FROM exits_walking_stored v
JOIN stored_answers a ON a.name = 'exits_walking_stored'
ORDER BY v.is_total, array_position(ARRAY['CRITICAL', 'HIGH', 'MEDIUM', 'LOW']::varchar[], v.priority_level);
