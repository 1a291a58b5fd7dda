-- exits_walking.sql without filters, as last stored (schema.sql, "Exits page: its four aggregates";
-- stored_answers says when): the same rows and order as exits_walking.sql.
SELECT * FROM exits_walking_stored
ORDER BY is_total, array_position(ARRAY['CRITICAL', 'HIGH', 'MEDIUM', 'LOW']::varchar[], priority_level);
