-- Calibration on settled markets, aggregated into reliability bins, per version of one model and
-- per forecaster: the version ('model') and the market's own price on the same markets ('market').
-- A prediction is the version's probability in its LAST EDGE CREATED BEFORE THE MARKET SETTLED
-- (the first market row with status 'settled'), never after the outcome was known; the market's
-- prediction is the market-implied probability in that same edge row. Only binary markets that
-- settled at 0 or 1 count. Those rows are calibration_points, kept by the writers of markets and
-- edges (schema.sql, "Calibration points"); one row per market and version is binned here.
-- Parameters: :model_name (text), :n_bins (int >= 1), :strategy ('uniform' | 'quantile').
--   Bins include their upper edge, as scikit-learn's calibration_curve (searchsorted, side
--   'left'): uniform bin k holds (k/n, (k+1)/n], and 0 falls in the first bin; quantile bins
--   have as interior edges the k/n quantiles (percentile_cont: linear interpolation, as
--   numpy.percentile) of that forecaster's predictions. Empty bins are left out.
-- Returns: model_id, model_version, forecaster ('model' | 'market'), bin (0-based), bin_lower,
--   bin_upper (float), n (markets), sum_p, sum_y, sum_p2, sum_py (DECIMAL), brier_sum (DECIMAL: sum of
--   (p - y)^2), log_loss_sum (float: sum of -[y ln p + (1 - y) ln(1 - p)], p clipped to
--   [1e-15, 1 - 1e-15]), min_p, max_p (DECIMAL).
WITH forecasts AS NOT MATERIALIZED (  -- both forecasters' predictions, from calibration_points
    SELECT v.model_id, v.model_version, f.forecaster, f.p, c.y
    FROM probability_models v
    JOIN calibration_points c ON c.model_id = v.model_id
    CROSS JOIN LATERAL (VALUES ('model', c.p_model), ('market', c.p_market)) AS f(forecaster, p)
    WHERE v.model_name = CAST(:model_name AS text)
),
cuts AS (  -- quantile edges per forecaster, ascending; and negated in reverse order (see binned)
    SELECT q.model_id, q.forecaster, q.edges,
           ARRAY(SELECT -x FROM unnest(q.edges) WITH ORDINALITY AS u(x, i) ORDER BY i DESC) AS negated
    FROM (SELECT model_id, forecaster,
                 percentile_cont(ARRAY(SELECT k::float8 / CAST(:n_bins AS int)
                                       FROM generate_series(1, CAST(:n_bins AS int) - 1) k))
                     WITHIN GROUP (ORDER BY p::float8) AS edges
          FROM forecasts
          WHERE CAST(:strategy AS text) = 'quantile'
          GROUP BY model_id, forecaster) q
),
binned AS (
    -- A quantile bin is the number of edges below p. width_bucket counts the edges at or below
    -- its operand by binary search, so on the negated edges it counts the edges at or above p.
    SELECT f.model_id, f.model_version, f.forecaster, f.p, f.y,
           CASE WHEN CAST(:strategy AS text) = 'quantile'
                THEN cardinality(c.edges) - width_bucket(-f.p::float8, c.negated)
                ELSE greatest(ceil(f.p * CAST(:n_bins AS int)) - 1, 0)::int END AS bin
    FROM forecasts f
    LEFT JOIN cuts c USING (model_id, forecaster)
),
sums AS (
    -- y is 0 or 1 (calibration_points keeps no other outcome), so sum(y) counts the hits, sum(p y)
    -- sums p over them, the log loss of a forecast is -ln p or -ln(1 - p) (the other term is 0), and
    -- below brier_sum = sum (p - y)^2 = sum p^2 - 2 sum p y + sum y, exactly (numeric): the same
    -- numbers as summing each expression, with less arithmetic per forecast.
    SELECT model_id, model_version, forecaster, bin,
           count(*) AS n,
           sum(p) AS sum_p,
           count(*) FILTER (WHERE y = 1) AS hits,
           sum(p * p) AS sum_p2,
           coalesce(sum(p) FILTER (WHERE y = 1), 0) AS sum_py,
           -sum(CASE WHEN y = 1 THEN ln(greatest(p::float8, 1e-15))
                     ELSE ln(greatest(1 - p::float8, 1e-15)) END) AS log_loss_sum,
           min(p) AS min_p,
           max(p) AS max_p
    FROM binned
    GROUP BY model_id, model_version, forecaster, bin
)
SELECT s.model_id, s.model_version, s.forecaster, s.bin,
       CASE WHEN CAST(:strategy AS text) = 'quantile' THEN coalesce(c.edges[s.bin], 0)
            ELSE s.bin::float8 / CAST(:n_bins AS int) END AS bin_lower,
       CASE WHEN CAST(:strategy AS text) = 'quantile' THEN coalesce(c.edges[s.bin + 1], 1)
            ELSE (s.bin + 1)::float8 / CAST(:n_bins AS int) END AS bin_upper,
       s.n, s.sum_p, s.hits::numeric AS sum_y, s.sum_p2, s.sum_py, s.sum_p2 - 2 * s.sum_py + s.hits AS brier_sum,
       s.log_loss_sum, s.min_p, s.max_p
FROM sums s
LEFT JOIN cuts c USING (model_id, forecaster)
ORDER BY s.model_version, s.model_id, s.forecaster DESC, s.bin;
