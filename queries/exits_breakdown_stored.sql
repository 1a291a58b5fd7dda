-- exits_breakdown.sql without filters, as last stored (schema.sql, "Exits page: its four aggregates"),
-- with computed_at (when it was stored) on every row: the same rows and order as exits_breakdown.sql.
SELECT v.*, a.computed_at
FROM exits_breakdown_stored v
JOIN stored_answers a ON a.name = 'exits_breakdown_stored'
ORDER BY v.level = 'total', v.exit_condition, v.level = 'condition', v.exit_priority;
