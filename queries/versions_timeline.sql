-- Every status of every version of one model or strategy, newest first: the creation entry of
-- each version (action 'created', in the status it was inserted with) and each recorded change.
-- Parameters: :kind ('model' | 'strategy'), :version_name (text: the model_name or strategy_name).
-- Returns: changed_at, version_id, version, from_status (NULL for 'created'), to_status,
--   changed_by, action, reason, seq (0 for 'created', else the history id).
SELECT t.changed_at, t.version_id, t.version, t.from_status, t.to_status, t.changed_by, t.action, t.reason, t.seq
FROM version_status_timeline t
WHERE t.kind = CAST(:kind AS text) AND t.name = CAST(:version_name AS text)
ORDER BY t.changed_at DESC, t.seq DESC, t.version DESC;
