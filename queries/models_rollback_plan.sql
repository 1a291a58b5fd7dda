-- What rolling one model back would do, without doing it (raises, with a sentence, when there
-- is nothing to roll back to).
-- Parameters: :model_name (text).
-- Returns: model_id, model_version, from_status, to_status.
SELECT model_id, model_version, from_status, to_status
FROM model_rollback_plan(CAST(:model_name AS text));
