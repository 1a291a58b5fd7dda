-- Positions whose exits do not account for them: data problems, one row per problem found.
-- Checks: the opening quantity (first row) must equal the quantity exited plus the quantity the
-- current row still holds (open: still held; settled: held to settlement; closed: 0); a closed
-- position must have exits; a settled position must have a settlement of its market (a
-- settlements row or the market settled); an open position must still hold something.
-- Parameters (each NULL = no filter): platform, strategy_id, model_id (the position's opening
--   buy trade); max_rows (how many at most).
-- Returns: position_id, market_id, status, opening_quantity, exited_quantity, exits,
--   current_quantity, problem (a sentence), positions_with_problems (over all findings, not only the
--   rows returned). Ordered by position_id, problem.
WITH checked AS (
    SELECT ps.position_id, ps.market_id, ps.platform_id, ps.status, ps.opening_quantity, ps.current_quantity,
           coalesce(x.exits, 0) AS exits, coalesce(x.exited_quantity, 0) AS exited_quantity,
           EXISTS (SELECT 1 FROM settlements st WHERE st.market_id = ps.market_id)
               OR EXISTS (SELECT 1 FROM markets m WHERE m.market_id = ps.market_id AND m.row_current_ind
                                                    AND m.status = 'settled') AS market_settled
    FROM position_summary ps
    LEFT JOIN (SELECT position_id, count(*) AS exits, sum(quantity_exited) AS exited_quantity
               FROM position_exits GROUP BY position_id) x USING (position_id)
    WHERE (CAST(:platform AS text) IS NULL OR ps.platform_id = CAST(:platform AS text))
      AND (CAST(:strategy_id AS int) IS NULL OR ps.strategy_id = CAST(:strategy_id AS int))
      AND (CAST(:model_id AS int) IS NULL OR ps.model_id = CAST(:model_id AS int))
),
findings AS (
    SELECT c.position_id, c.market_id, c.status, c.opening_quantity, c.exited_quantity, c.exits,
           c.current_quantity, p.problem
    FROM checked c
    CROSS JOIN LATERAL (VALUES
        (c.exited_quantity + c.current_quantity <> c.opening_quantity,
         format('Opened with %s, but exits took %s and the current row holds %s (off by %s).',
                c.opening_quantity, c.exited_quantity, c.current_quantity,
                c.exited_quantity + c.current_quantity - c.opening_quantity)),
        (c.status = 'closed' AND c.exits = 0, 'Closed without any exit.'),
        (c.status = 'settled' AND NOT c.market_settled, 'Settled, but its market has no settlement.'),
        (c.status = 'open' AND c.current_quantity = 0, 'Open, but holds nothing.')
    ) AS p(found, problem)
    WHERE p.found
)
SELECT f.*, (SELECT count(DISTINCT position_id) FROM findings) AS positions_with_problems
FROM findings f
ORDER BY f.position_id, f.problem
LIMIT CAST(:max_rows AS int);
