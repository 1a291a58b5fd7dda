-- The stored findings of one kind of the attribution audit, newest first, with the versions they
-- name (the trade's, or the position's opening buy's).
-- Parameters: :kind (text), :max_rows (how many at most).
-- Returns: subject ('trade' | 'position'), subject_id, happened_at (TIMESTAMP UTC: the trade, or
--   the position's opening), strategy, model (version labels), detail (a sentence).
SELECT f.subject, f.subject_id, f.happened_at,
       s.strategy_name || ' ' || s.strategy_version AS strategy, pm.model_name || ' ' || pm.model_version AS model,
       f.detail
FROM attribution_faults_stored f
LEFT JOIN strategies s ON s.strategy_id = f.strategy_id
LEFT JOIN probability_models pm ON pm.model_id = f.model_id
WHERE f.kind = CAST(:kind AS text)
ORDER BY f.happened_at DESC, f.subject_id DESC
LIMIT CAST(:max_rows AS int);
