-- Positions whose exits do not account for them: data problems, one row per problem found.
-- The checks (schema.sql, exit_facts_recompute) are made as positions, exits, settlements and
-- markets are written, and kept in exit_position_facts.problems: the opening quantity (first row)
-- must equal the quantity exited plus the quantity the current row still holds (open: still held;
-- settled: held to settlement; closed: 0); a closed position must have exits; a settled position
-- must have a settlement of its market (a settlements row or the market settled); an open
-- position must still hold something.
-- Parameters (each NULL = no filter): platform, strategy_id, model_id (the position's opening
--   buy trade); max_rows (how many at most).
-- Returns: position_id, market_id, status, opening_quantity, exited_quantity, exits,
--   current_quantity, problem (a sentence), positions_with_problems (over all findings, not only the
--   rows returned). Ordered by position_id, problem.
WITH findings AS (
    SELECT c.position_id, c.market_id, c.status, c.opening_quantity, c.exited_quantity, c.exits,
           c.current_quantity, p.problem
    FROM exit_positions_matching(CAST(:platform AS text), CAST(:strategy_id AS int), CAST(:model_id AS int)) c
    CROSS JOIN unnest(c.problems) AS p(problem)
    WHERE c.problems <> '{}'
)
SELECT f.*, (SELECT count(DISTINCT position_id) FROM findings) AS positions_with_problems
FROM findings f
ORDER BY f.position_id, f.problem
LIMIT CAST(:max_rows AS int);
