-- Exits by exit condition and priority: how many, how much, what they earned, how long the
-- contracts were held, and what holding them to settlement would have earned instead (regret).
-- Parameters (each NULL = no filter): since, until (TIMESTAMP UTC: exits in [since, until)),
--   platform (platform_id), strategy_id, model_id (the position's opening buy trade),
--   exit_condition, priority.
-- Returns one row per grouping: level ('condition_priority' | 'condition' | 'total'),
--   exit_condition, exit_priority (NULL where rolled up), exits, positions, quantity_exited,
--   realized_pnl (DECIMAL: (exit price - entry price) x quantity, before fees), mean_return
--   (mean of exit price / entry price - 1 per exit), median_holding_hours, p90_holding_hours,
--   held_under_15m, held_15m_to_1h, held_1h_to_6h, held_6h_to_24h, held_1d_to_7d, held_over_7d
--   (exits by time from the position's opening to the exit), and for exits whose market has
--   settled: settled_exits, settled_quantity, settled_exit_pnl (DECIMAL), settled_hold_pnl
--   (DECIMAL: the same contracts held to settlement), saved_by_exiting (DECIMAL: exit minus
--   hold; negative = the exit cost money), exits_that_saved, exits_that_cost.
-- Prices are those of the contract held; the settlement value of the held side is the market's
-- settlement_value for 'yes' and 1 - settlement_value for 'no'. Each exit's P&L, return, holding
-- time and held value are kept in exit_facts (schema.sql) as exits, positions and markets are written.
WITH exits AS (
    SELECT x.exit_condition, x.exit_priority, x.position_id, x.quantity_exited, x.pnl, x.exit_return, x.held_hours,
           x.held_value, x.exit_price, x.entry_price
    FROM exits_matching(CAST(:since AS timestamp), CAST(:until AS timestamp), CAST(:platform AS text),
                        CAST(:strategy_id AS int), CAST(:model_id AS int), CAST(:exit_condition AS text),
                        CAST(:priority AS text)) x
)
SELECT CASE WHEN GROUPING(exit_condition) = 1 THEN 'total'
            WHEN GROUPING(exit_priority) = 1 THEN 'condition'
            ELSE 'condition_priority' END AS level,
       exit_condition, exit_priority,
       count(*) AS exits,
       count(DISTINCT position_id) AS positions,
       sum(quantity_exited) AS quantity_exited,
       sum(pnl) AS realized_pnl,
       round(avg(exit_return), 4) AS mean_return,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY held_hours)::numeric, 2) AS median_holding_hours,
       round(percentile_cont(0.9) WITHIN GROUP (ORDER BY held_hours)::numeric, 2) AS p90_holding_hours,
       count(*) FILTER (WHERE held_hours < 0.25) AS held_under_15m,
       count(*) FILTER (WHERE held_hours >= 0.25 AND held_hours < 1) AS held_15m_to_1h,
       count(*) FILTER (WHERE held_hours >= 1 AND held_hours < 6) AS held_1h_to_6h,
       count(*) FILTER (WHERE held_hours >= 6 AND held_hours < 24) AS held_6h_to_24h,
       count(*) FILTER (WHERE held_hours >= 24 AND held_hours < 168) AS held_1d_to_7d,
       count(*) FILTER (WHERE held_hours >= 168) AS held_over_7d,
       count(held_value) AS settled_exits,
       coalesce(sum(quantity_exited) FILTER (WHERE held_value IS NOT NULL), 0) AS settled_quantity,
       coalesce(sum(pnl) FILTER (WHERE held_value IS NOT NULL), 0) AS settled_exit_pnl,
       coalesce(sum((held_value - entry_price) * quantity_exited), 0) AS settled_hold_pnl,
       coalesce(sum((exit_price - held_value) * quantity_exited), 0) AS saved_by_exiting,
       count(*) FILTER (WHERE exit_price > held_value) AS exits_that_saved,
       count(*) FILTER (WHERE exit_price < held_value) AS exits_that_cost
FROM exits
GROUP BY GROUPING SETS ((exit_condition, exit_priority), (exit_condition), ())
ORDER BY GROUPING(exit_condition), exit_condition, GROUPING(exit_priority), exit_priority;
