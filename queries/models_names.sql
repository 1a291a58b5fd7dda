-- Model names for the picker, with what their versions are.
-- Parameters: none.
-- Returns: model_name, versions, active_versions, sports (text[]: distinct, NULL as 'none'),
--   model_types (text[]), latest_created_at.
SELECT model_name,
       count(*) AS versions,
       count(*) FILTER (WHERE status = 'active') AS active_versions,
       array_agg(DISTINCT coalesce(sport, 'none')) AS sports,
       array_agg(DISTINCT model_type) AS model_types,
       max(created_at) AS latest_created_at
FROM probability_models
GROUP BY model_name
ORDER BY model_name;
