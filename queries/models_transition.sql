-- One lifecycle step of one version, checked, applied and recorded by the database in one call.
-- Parameters: :model_id (int), :new_status (text), :actor (text), :reason (text),
--   :mode ('replace' | 'alongside': only matters when the new status is 'active'),
--   :request_id (text: the same id twice applies once).
-- Returns: model_id, model_version, from_status, to_status, applied (false: nothing new happened).
SELECT model_id, model_version, from_status, to_status, applied
FROM transition_model_status(CAST(:model_id AS int), CAST(:new_status AS text), CAST(:actor AS text),
                             CAST(:reason AS text), CAST(:mode AS text), CAST(:request_id AS text));
