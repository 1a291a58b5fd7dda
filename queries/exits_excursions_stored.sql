-- exits_excursions.sql without filters, as last stored (schema.sql, exits_excursions_stored), with
-- computed_at (when it was stored) on every row: the same rows and order as exits_excursions.sql.
SELECT v.*, a.computed_at
FROM exits_excursions_stored v
JOIN stored_answers a ON a.name = 'exits_excursions_stored'
ORDER BY v.exit_condition IS NULL, v.exit_condition;
