-- Every model version's name, for labelling the A/B page's strategy x model matrix.
-- Parameters: none. Returns: model_id, model_name, model_version.
SELECT model_id, model_name, model_version FROM probability_models ORDER BY model_id;
