-- Partial exits per position: in how many steps positions were exited, and what share of the
-- opening quantity (the position's first row) went at each step; step NULL is what was left
-- (held to settlement, or still held).
-- A position counts when at least one of its exits passes the filters; then all its exits count.
-- Parameters (each NULL = no filter): since, until (TIMESTAMP UTC: exits in [since, until)),
--   platform, strategy_id, model_id (the position's opening buy trade), exit_condition, priority.
-- Returns: steps (exits the position had), step (1, 2, ... or NULL for the rest), positions,
--   quantity, opening_quantity (sum over those positions), mean_share (mean per position of
--   quantity / opening quantity, 4 places). Ordered by steps, step (rest last).
WITH chosen AS (
    SELECT DISTINCT pe.position_id, ps.opening_quantity
    FROM position_exits pe
    JOIN position_summary ps USING (position_id)
    WHERE (CAST(:since AS timestamp) IS NULL OR pe.created_at >= CAST(:since AS timestamp))
      AND (CAST(:until AS timestamp) IS NULL OR pe.created_at < CAST(:until AS timestamp))
      AND (CAST(:platform AS text) IS NULL OR ps.platform_id = CAST(:platform AS text))
      AND (CAST(:strategy_id AS int) IS NULL OR ps.strategy_id = CAST(:strategy_id AS int))
      AND (CAST(:model_id AS int) IS NULL OR ps.model_id = CAST(:model_id AS int))
      AND (CAST(:exit_condition AS text) IS NULL OR pe.exit_condition = CAST(:exit_condition AS text))
      AND (CAST(:priority AS text) IS NULL OR pe.exit_priority = CAST(:priority AS text))
),
steps AS (
    SELECT pe.position_id, chosen.opening_quantity, pe.quantity_exited,
           row_number() OVER (PARTITION BY pe.position_id ORDER BY pe.created_at, pe.exit_id) AS step,
           count(*) OVER (PARTITION BY pe.position_id) AS steps
    FROM position_exits pe
    JOIN chosen USING (position_id)
),
rest AS (
    SELECT position_id, steps, min(opening_quantity) AS opening_quantity,
           min(opening_quantity) - sum(quantity_exited) AS quantity
    FROM steps
    GROUP BY position_id, steps
)
SELECT steps, step, count(*) AS positions, sum(quantity_exited) AS quantity,
       sum(opening_quantity) AS opening_quantity,
       round(avg(quantity_exited::numeric / NULLIF(opening_quantity, 0)), 4) AS mean_share
FROM steps
GROUP BY steps, step
UNION ALL
SELECT steps, NULL, count(*), sum(quantity), sum(opening_quantity),
       round(avg(quantity::numeric / NULLIF(opening_quantity, 0)), 4)
FROM rest
GROUP BY steps
ORDER BY steps, step NULLS LAST;
