-- exits_fill_rate.sql without filters, as last stored (schema.sql, "Exits page: its four aggregates"),
-- with computed_at (when it was stored) on every row: the same rows and order as exits_fill_rate.sql.
SELECT v.*, a.computed_at
FROM exits_fill_rate_stored v
JOIN stored_answers a ON a.name = 'exits_fill_rate_stored'
ORDER BY array_position(ARRAY['CRITICAL', 'HIGH', 'MEDIUM', 'LOW']::varchar[], v.priority_level), v.order_type;
