-- Training runs of every version of one model, with their datasets.
-- Parameters: :model_name (text).
-- Returns: run_id, model_id, model_version, status, training_started_at, training_completed_at,
--   training_duration_seconds, hyperparameters, train_metrics, val_metrics, test_metrics,
--   feature_importance (JSON), framework_version, error_message, notes, dataset_id, dataset_name,
--   dataset_sample_count, dataset_start_date, dataset_end_date.
SELECT r.run_id, r.model_id, pm.model_version, r.status, r.training_started_at, r.training_completed_at,
       r.training_duration_seconds, r.hyperparameters, r.train_metrics, coalesce(r.val_metrics, r.metrics) AS val_metrics,
       r.test_metrics, r.feature_importance, r.framework_version, r.error_message, r.notes,
       d.dataset_id, d.dataset_name, d.sample_count AS dataset_sample_count,
       d.start_date AS dataset_start_date, d.end_date AS dataset_end_date
FROM model_training_runs r
JOIN probability_models pm ON pm.model_id = r.model_id
LEFT JOIN training_datasets d ON d.dataset_id = r.dataset_id
WHERE pm.model_name = CAST(:model_name AS text)
ORDER BY pm.model_version, r.training_started_at NULLS LAST, r.run_id;
