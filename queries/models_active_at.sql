-- Which versions of one model were active at a moment, and since when.
-- Parameters: :model_name (text), :at (TIMESTAMP UTC).
-- Returns: model_id, model_name, model_version, active_since.
SELECT model_id, model_name, model_version, active_since
FROM model_versions_active_at(CAST(:at AS timestamp), CAST(:model_name AS text));
