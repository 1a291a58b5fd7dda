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
WITH steps AS NOT MATERIALIZED (  -- read twice below, each time by index or one scan
    SELECT x.steps, x.step, x.quantity_exited, x.left_after, x.opening_quantity
    -- the position of a matching exit passes the position filters, and so do all its exits
    FROM exits_matching(NULL, NULL, CAST(:platform AS text), CAST(:strategy_id AS int), CAST(:model_id AS int),
                        NULL, NULL) x
    -- with no filter on the exits themselves, each of those positions has a matching exit
    WHERE (CAST(:since AS timestamp) IS NULL AND CAST(:until AS timestamp) IS NULL
           AND CAST(:exit_condition AS text) IS NULL AND CAST(:priority AS text) IS NULL)
       OR x.position_id IN (SELECT m.position_id
                            FROM exits_matching(CAST(:since AS timestamp), CAST(:until AS timestamp),
                                                CAST(:platform AS text), CAST(:strategy_id AS int),
                                                CAST(:model_id AS int), CAST(:exit_condition AS text),
                                                CAST(:priority AS text)) m)
)
SELECT steps, step, count(*) AS positions, sum(quantity_exited) AS quantity,
       sum(opening_quantity) AS opening_quantity,
       round(avg(quantity_exited::numeric / NULLIF(opening_quantity, 0)), 4) AS mean_share
FROM steps
GROUP BY steps, step
UNION ALL
-- what was left: after each position's last exit
SELECT steps, NULL, count(*), sum(left_after), sum(opening_quantity),
       round(avg(left_after::numeric / NULLIF(opening_quantity, 0)), 4)
FROM steps
WHERE step = steps
GROUP BY steps
ORDER BY steps, step NULLS LAST;
