-- How far positions ran: MAE and MFE of every exit while its position was held, exit efficiency,
-- stops that would have recovered and targets that left most of the run, by exit condition and in
-- total (exit_condition NULL). Summary exit_excursions; the definitions are at the function
-- exits_excursions() in schema.sql ("Execution quality and how far positions ran").
-- Parameters (each NULL = no filter): since, until (TIMESTAMP UTC: exits made in [since, until)),
--   platform, strategy_id, model_id (the position's opening buy), exit_condition, priority.
-- Returns: exit_condition, exits, contracts, median_mae_cents, p90_mae_cents (the 10th percentile
--   of MAE: 90% of exits ran less far against us), median_mfe_cents, median_mae_share,
--   median_mfe_share, median_efficiency, with_efficiency, stops_measured, stops_recovered,
--   targets_measured, targets_left_most.
-- Its answer without filters is also stored (exits_excursions_stored.sql).
SELECT * FROM exits_excursions(CAST(:since AS timestamp), CAST(:until AS timestamp), CAST(:platform AS text),
                               CAST(:strategy_id AS int), CAST(:model_id AS int), CAST(:exit_condition AS text),
                               CAST(:priority AS text));
