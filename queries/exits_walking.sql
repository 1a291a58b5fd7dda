-- Price walking of exit orders by priority: how many attempts an exit took, what walking the
-- limit price down cost, how long a fill took, and how many exit orders never filled.
-- An exit order is a run of attempts (view exit_attempt_sequences); walk cost is its first limit
-- price minus the fill price (prices of the contract held, so for a sell of either side a
-- positive cost is money given up), in cents per contract and in money (x quantity). Time to
-- fill runs from the first attempt to the attempt that filled.
-- Parameters (each NULL = no filter): since, until (TIMESTAMP UTC: orders whose first attempt
--   is in [since, until)), platform, strategy_id, model_id (the position's opening buy trade),
--   exit_condition, priority.
-- Returns one row per priority_level and a total row (priority_level NULL, is_total TRUE):
--   exit_orders, filled, never_filled, attempts, mean_attempts, max_attempts, one_attempt,
--   two_attempts, three_attempts, four_or_more_attempts, walked (filled orders that walked
--   below their first limit), mean_walk_cents, max_walk_cents, walk_cost (DECIMAL, money),
--   mean_seconds_to_fill, median_seconds_to_fill, max_seconds_to_fill.
-- Written once as the function exits_walking() in schema.sql ("Exits page: its four aggregates"),
-- whose answer without filters is also stored (exits_walking_stored.sql).
SELECT * FROM exits_walking(CAST(:since AS timestamp), CAST(:until AS timestamp), CAST(:platform AS text),
                            CAST(:strategy_id AS int), CAST(:model_id AS int), CAST(:exit_condition AS text),
                            CAST(:priority AS text));
