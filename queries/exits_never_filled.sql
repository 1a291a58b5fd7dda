-- Exit orders that never filled: runs of attempts (view exit_attempt_sequences) with no success.
-- Parameters (each NULL = no filter): since, until (TIMESTAMP UTC: orders whose first attempt
--   is in [since, until)), platform, strategy_id, model_id, exit_condition, priority;
--   max_rows (how many to return at most).
-- Returns: position_id, market_id, side, status (the position's current status), exit_condition,
--   priority_level, quantity, attempts, first_limit_price, lowest_limit_price, first_attempt_at,
--   last_attempt_at. Newest first.
SELECT s.position_id, ps.market_id, ps.side, ps.status, s.exit_condition, s.priority_level, s.quantity,
       s.attempts, s.first_limit_price, s.lowest_limit_price, s.first_attempt_at, s.last_attempt_at
FROM exit_orders_matching(CAST(:since AS timestamp), CAST(:until AS timestamp), CAST(:platform AS text),
                          CAST(:strategy_id AS int), CAST(:model_id AS int), CAST(:exit_condition AS text),
                          CAST(:priority AS text)) s
JOIN exit_position_facts ps USING (position_id)
WHERE NOT s.filled
ORDER BY s.first_attempt_at DESC, s.sequence_id DESC
LIMIT CAST(:max_rows AS int);
