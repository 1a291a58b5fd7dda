-- Every version of one model, with a short hash of its (immutable) config.
-- Parameters: :model_name (text).
-- Returns: model_id, model_name, model_version, status, model_type, sport, description, config
--   (JSON), config_hash (first 8 hex digits of md5 of the canonical jsonb text), created_at,
--   created_by, validation_accuracy, validation_calibration (DECIMAL), validation_sample_size,
--   notes, last_change_id (the newest status-history id of this model, the same on every row:
--   the page's state token; 0 when nothing changed yet).
SELECT pm.model_id, pm.model_name, pm.model_version, pm.status, pm.model_type, pm.sport, pm.description,
       pm.config, left(md5(pm.config::text), 8) AS config_hash, pm.created_at, pm.created_by,
       pm.validation_accuracy, pm.validation_calibration, pm.validation_sample_size, pm.notes,
       coalesce((SELECT max(h.history_id) FROM model_status_history h
                 JOIN probability_models same ON same.model_id = h.model_id
                 WHERE same.model_name = CAST(:model_name AS text)), 0) AS last_change_id
FROM probability_models pm
WHERE pm.model_name = CAST(:model_name AS text)
ORDER BY pm.created_at, pm.model_version, pm.model_id;
