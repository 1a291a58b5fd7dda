-- One position's exits with how far it ran before each (summary exit_excursions; definitions at
-- exits_excursions() in schema.sql): One position tab.
-- Parameters: position_id.
-- Returns: exit_id, created_at, exit_condition, step, steps, entry_price, exit_price, worst_price,
--   best_price (while held up to that exit, the entry and exit prices included), best_after (the
--   best the exited contracts fetched afterwards; NULL while the market is open). By exit order.
SELECT e.exit_id, e.created_at, e.exit_condition, e.step, e.steps, e.entry_price, e.exit_price, e.worst_price,
       e.best_price, e.best_after
FROM exit_excursions e
WHERE e.position_id = CAST(:position_id AS int)
ORDER BY e.step;
