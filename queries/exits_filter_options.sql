-- The choices offered by the Position exits page's filters.
-- Parameters: none.
-- Returns: kind ('platform' | 'strategy' | 'model'), value (text: platform_id, strategy_id or
--   model_id), label (what the page shows). Ordered by kind, label.
SELECT 'platform' AS kind, platform_id AS value, display_name AS label
FROM platforms
WHERE platform_type = 'trading'
UNION ALL
SELECT 'strategy', strategy_id::text, strategy_name || ' ' || strategy_version
FROM strategies
UNION ALL
SELECT 'model', model_id::text, model_name || ' ' || model_version
FROM probability_models
ORDER BY kind, label;
