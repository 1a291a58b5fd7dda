-- Every strategy version, for the A/B page's pickers and its config diff.
-- Parameters: none.
-- Returns: strategy_id, strategy_name, strategy_version, status, created_at, config (JSON),
--   description.
SELECT strategy_id, strategy_name, strategy_version, status, created_at, config, description
FROM strategies
ORDER BY strategy_name, created_at, strategy_version, strategy_id;
