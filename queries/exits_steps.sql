-- Partial exits per position: in how many steps positions were exited, and what share of the
-- opening quantity (the position's first row) went at each step; step NULL is what was left
-- (held to settlement, or still held).
-- A position counts when at least one of its exits passes the filters; then all its exits count.
-- Each exit's step, its position's number of steps and what was left after it are kept in
-- exit_facts (schema.sql).
-- Parameters (each NULL = no filter): since, until (TIMESTAMP UTC: exits in [since, until)),
--   platform, strategy_id, model_id (the position's opening buy trade), exit_condition, priority.
-- Returns: steps (exits the position had), step (1, 2, ... or NULL for the rest), positions,
--   quantity, opening_quantity (sum over those positions), mean_share (mean per position of
--   quantity / opening quantity, 4 places). Ordered by steps, step (rest last).
-- Written once as the function exits_steps() in schema.sql ("Exits page: its four aggregates"),
-- whose answer without filters is also stored (exits_steps_stored.sql).
SELECT * FROM exits_steps(CAST(:since AS timestamp), CAST(:until AS timestamp), CAST(:platform AS text),
                          CAST(:strategy_id AS int), CAST(:model_id AS int), CAST(:exit_condition AS text),
                          CAST(:priority AS text));
