-- exits_steps.sql without filters, as last stored (schema.sql, "Exits page: its four aggregates"),
-- with computed_at (when it was stored) on every row: the same rows and order as exits_steps.sql.
SELECT v.*, a.computed_at
FROM exits_steps_stored v
JOIN stored_answers a ON a.name = 'exits_steps_stored'
ORDER BY v.steps, v.step NULLS LAST;
