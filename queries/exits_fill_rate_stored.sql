-- exits_fill_rate.sql without filters, as last stored (schema.sql, "Exits page: its four aggregates";
-- stored_answers says when): the same rows and order as exits_fill_rate.sql.
SELECT * FROM exits_fill_rate_stored
ORDER BY array_position(ARRAY['CRITICAL', 'HIGH', 'MEDIUM', 'LOW']::varchar[], priority_level), order_type;
