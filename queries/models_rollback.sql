-- Roll one model back to the version(s) active before its latest activation, in one call.
-- Parameters: :model_name (text), :actor (text), :reason (text), :request_id (text: the same id
--   twice applies once).
-- Returns: model_id, model_version, from_status, to_status, applied.
SELECT model_id, model_version, from_status, to_status, applied
FROM rollback_model(CAST(:model_name AS text), CAST(:actor AS text), CAST(:reason AS text), CAST(:request_id AS text));
