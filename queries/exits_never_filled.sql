-- Exit orders that never filled: runs of attempts (view exit_attempt_sequences) with no success.
-- Parameters (each NULL = no filter): since, until (TIMESTAMP UTC: orders whose first attempt
--   is in [since, until)), platform, strategy_id, model_id, exit_condition, priority;
--   max_rows (how many to return at most).
-- Returns: position_id, market_id, side, status (the position's current status), exit_condition,
--   priority_level, quantity, attempts, first_limit_price, lowest_limit_price, first_attempt_at,
--   last_attempt_at. Newest first.
SELECT s.position_id, ps.market_id, ps.side, ps.status, s.exit_condition, s.priority_level, s.quantity,
       s.attempts, s.first_limit_price, s.lowest_limit_price, s.first_attempt_at, s.last_attempt_at
FROM exit_attempt_sequences s
JOIN position_summary ps USING (position_id)
WHERE NOT s.filled
  AND (CAST(:since AS timestamp) IS NULL OR s.first_attempt_at >= CAST(:since AS timestamp))
  AND (CAST(:until AS timestamp) IS NULL OR s.first_attempt_at < CAST(:until AS timestamp))
  AND (CAST(:platform AS text) IS NULL OR ps.platform_id = CAST(:platform AS text))
  AND (CAST(:strategy_id AS int) IS NULL OR ps.strategy_id = CAST(:strategy_id AS int))
  AND (CAST(:model_id AS int) IS NULL OR ps.model_id = CAST(:model_id AS int))
  AND (CAST(:exit_condition AS text) IS NULL OR s.exit_condition = CAST(:exit_condition AS text))
  AND (CAST(:priority AS text) IS NULL OR s.priority_level = CAST(:priority AS text))
ORDER BY s.first_attempt_at DESC, s.sequence_id DESC
LIMIT CAST(:max_rows AS int);
