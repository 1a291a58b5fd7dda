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
WITH orders AS (
    SELECT s.*,
           s.first_limit_price - s.fill_price AS walk,
           extract(epoch FROM s.filled_at - s.first_attempt_at) AS seconds_to_fill
    FROM exit_orders_matching(CAST(:since AS timestamp), CAST(:until AS timestamp), CAST(:platform AS text),
                              CAST(:strategy_id AS int), CAST(:model_id AS int), CAST(:exit_condition AS text),
                              CAST(:priority AS text)) s
)
SELECT priority_level, GROUPING(priority_level) = 1 AS is_total,
       count(*) AS exit_orders,
       count(*) FILTER (WHERE filled) AS filled,
       count(*) FILTER (WHERE NOT filled) AS never_filled,
       sum(attempts) AS attempts,
       round(avg(attempts), 2) AS mean_attempts,
       max(attempts) AS max_attempts,
       count(*) FILTER (WHERE attempts = 1) AS one_attempt,
       count(*) FILTER (WHERE attempts = 2) AS two_attempts,
       count(*) FILTER (WHERE attempts = 3) AS three_attempts,
       count(*) FILTER (WHERE attempts >= 4) AS four_or_more_attempts,
       count(*) FILTER (WHERE walk > 0) AS walked,
       round(avg(walk) * 100, 2) AS mean_walk_cents,
       round(max(walk) * 100, 2) AS max_walk_cents,
       coalesce(sum(walk * quantity), 0) AS walk_cost,
       round(avg(seconds_to_fill)::numeric, 1) AS mean_seconds_to_fill,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds_to_fill)::numeric, 1) AS median_seconds_to_fill,
       round(max(seconds_to_fill)::numeric, 1) AS max_seconds_to_fill
FROM orders
GROUP BY GROUPING SETS ((priority_level), ())
ORDER BY GROUPING(priority_level),
         array_position(ARRAY['CRITICAL', 'HIGH', 'MEDIUM', 'LOW']::varchar[], priority_level);
