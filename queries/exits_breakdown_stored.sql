-- exits_breakdown.sql without filters, as last stored (schema.sql, "Exits page: its four aggregates";
-- stored_answers says when): the same rows and order as exits_breakdown.sql.
SELECT * FROM exits_breakdown_stored
ORDER BY level = 'total', exit_condition, level = 'condition', exit_priority;
