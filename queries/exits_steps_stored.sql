-- exits_steps.sql without filters, as last stored (schema.sql, "Exits page: its four aggregates";
-- stored_answers says when): the same rows and order as exits_steps.sql.
SELECT * FROM exits_steps_stored
ORDER BY steps, step NULLS LAST;
