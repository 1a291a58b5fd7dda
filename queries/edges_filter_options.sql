-- The choices the filters of Current edges and Trade attribution offer (and the values their
-- URLs may carry): every strategy and model version, the trading platforms, the sports and
-- categories markets belong to.
-- Parameters: none.
-- Returns: kind ('strategy' | 'model' | 'platform' | 'sport'), name, version (NULL for platform
--   and sport), status (the version's status; NULL for platform and sport). Sport is the event's
--   subcategory (nfl, nba, ...), else its category.
SELECT 'strategy' AS kind, s.strategy_name AS name, s.strategy_version AS version, s.status
FROM strategies s
UNION ALL
SELECT 'model', pm.model_name, pm.model_version, pm.status
FROM probability_models pm
UNION ALL
SELECT 'platform', p.platform_id, NULL, NULL
FROM platforms p
WHERE p.platform_type = 'trading'
UNION ALL
SELECT DISTINCT 'sport', coalesce(ev.subcategory, ev.category), NULL, NULL
FROM events ev
ORDER BY 1, 2, 3;
