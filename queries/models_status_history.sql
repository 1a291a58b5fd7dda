-- Every status of every version of one model, newest first: the creation entry of each version
-- (action 'created', in the status it was inserted with) and each recorded change.
-- Parameters: :model_name (text).
-- Returns: changed_at, model_id, model_version, from_status (NULL for 'created'), to_status,
--   changed_by, action, reason, seq (0 for 'created', else the history id).
SELECT t.changed_at, t.model_id, t.model_version, t.from_status, t.to_status, t.changed_by, t.action, t.reason, t.seq
FROM model_status_timeline t
WHERE t.model_name = CAST(:model_name AS text)
ORDER BY t.changed_at DESC, t.seq DESC, t.model_version DESC;
