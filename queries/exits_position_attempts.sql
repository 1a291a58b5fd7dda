-- A position's exit attempts, grouped into exit orders (view exit_attempts_sequenced).
-- Parameters: position_id.
-- Returns: sequence_id (the order's first attempt_id), attempt_id, attempt_number, created_at,
--   exit_condition, priority_level, order_type, limit_price, fill_price, quantity,
--   timeout_seconds, success. Ordered by order (earliest first), then attempt.
SELECT s.sequence_id, s.attempt_id, s.attempt_number, s.created_at, s.exit_condition, s.priority_level,
       s.order_type, s.limit_price, s.fill_price, s.quantity, s.timeout_seconds, s.success
FROM exit_attempts_sequenced s
WHERE s.position_id = CAST(:position_id AS int)
ORDER BY min(s.created_at) OVER (PARTITION BY s.sequence_id), s.sequence_id, s.created_at, s.attempt_id;
