-- Every pair of versions of one model scored on the settled markets both of them priced: per pair,
-- the sums of the per-market differences of their scores, for a paired test (analytics/
-- paired_scores.py). Two versions' unpaired Brier scores come from different markets (60, 88 and 38
-- for elo_nfl in the demo), so one can look better for having been scored on easier markets; on the
-- same markets, the market's difficulty cancels in each difference.
-- Scores per forecast, as models_calibration.sql's: Brier (p - y)^2 (exact, numeric) and log loss
-- -[y ln p + (1 - y) ln(1 - p)], p clipped to [1e-15, 1 - 1e-15] (float). The forecasts are
-- calibration_points (schema.sql): each version's last edge before the market settled.
-- Parameters: :model_name (text).
-- Returns: version_a, version_b (model_version; a has the smaller model_id), markets,
--   brier_a, brier_b (sums of each version's Brier over the shared markets), brier_diff,
--   brier_diff_sq (sums of brier_b - brier_a and of its square), log_loss_diff, log_loss_diff_sq
--   (the same for the log loss). Pairs without a shared market are absent.
WITH scored AS (
    SELECT v.model_id, v.model_version, c.market_id, (c.p_model - c.y) ^ 2 AS brier,
           CASE WHEN c.y = 1 THEN -ln(greatest(c.p_model::float8, 1e-15))
                ELSE -ln(greatest(1 - c.p_model::float8, 1e-15)) END AS log_loss
    FROM probability_models v
    JOIN calibration_points c ON c.model_id = v.model_id
    WHERE v.model_name = CAST(:model_name AS text)
)
SELECT a.model_version AS version_a, b.model_version AS version_b, count(*) AS markets,
       sum(a.brier) AS brier_a, sum(b.brier) AS brier_b,
       sum(b.brier - a.brier) AS brier_diff, sum((b.brier - a.brier) ^ 2) AS brier_diff_sq,
       sum(b.log_loss - a.log_loss) AS log_loss_diff, sum((b.log_loss - a.log_loss) ^ 2) AS log_loss_diff_sq
FROM scored a
JOIN scored b ON b.market_id = a.market_id AND b.model_id > a.model_id
GROUP BY a.model_id, a.model_version, b.model_id, b.model_version
ORDER BY a.model_id, b.model_id;
