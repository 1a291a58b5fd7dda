-- Calibration on settled markets, aggregated into reliability bins, per version of one model and
-- per forecaster: the version ('model') and the market's own price on the same markets ('market').
-- A prediction is the version's probability in its LAST EDGE CREATED BEFORE THE MARKET SETTLED
-- (the first market row with status 'settled'), never after the outcome was known; the market's
-- prediction is the market-implied probability in that same edge row. Only binary markets that
-- settled at 0 or 1 count. One row per market and version is binned here; no edge row leaves
-- the database.
-- Parameters: :model_name (text), :n_bins (int >= 1), :strategy ('uniform' | 'quantile').
--   Bins include their upper edge, as scikit-learn's calibration_curve (searchsorted, side
--   'left'): uniform bin k holds (k/n, (k+1)/n], and 0 falls in the first bin; quantile bins
--   have as interior edges the k/n quantiles (percentile_cont: linear interpolation, as
--   numpy.percentile) of that forecaster's predictions. Empty bins are left out.
-- Returns: model_id, model_version, forecaster ('model' | 'market'), bin (0-based), bin_lower,
--   bin_upper (float), n (markets), sum_p, sum_y, sum_p2, sum_py (DECIMAL), brier_sum (DECIMAL: sum of
--   (p - y)^2), log_loss_sum (float: sum of -[y ln p + (1 - y) ln(1 - p)], p clipped to
--   [1e-15, 1 - 1e-15]), min_p, max_p (DECIMAL).
WITH versions AS (
    SELECT model_id, model_version FROM probability_models WHERE model_name = CAST(:model_name AS text)
),
settled AS (
    SELECT DISTINCT ON (m.market_id) m.market_id, m.created_at AS settled_at, m.settlement_value AS y
    FROM markets m
    WHERE m.status = 'settled'
    ORDER BY m.market_id, m.created_at
),
predictions AS (
    SELECT v.model_id, v.model_version, s.y, e.true_win_probability AS p_model, e.market_implied_probability AS p_market
    FROM versions v
    CROSS JOIN settled s
    CROSS JOIN LATERAL (
        SELECT e.true_win_probability, e.market_implied_probability
        FROM edges e
        WHERE e.model_id = v.model_id AND e.market_id = s.market_id AND e.created_at < s.settled_at
        ORDER BY e.created_at DESC, e.edge_id DESC
        LIMIT 1
    ) e
    WHERE s.y IN (0, 1)
      AND EXISTS (SELECT 1 FROM markets b WHERE b.market_id = s.market_id AND b.row_current_ind
                  AND coalesce(b.market_type, 'binary') = 'binary')
),
forecasts AS (
    SELECT model_id, model_version, 'model' AS forecaster, p_model AS p, y FROM predictions
    UNION ALL
    SELECT model_id, model_version, 'market', p_market, y FROM predictions
),
cuts AS (
    SELECT model_id, forecaster,
           percentile_cont(ARRAY(SELECT k::float8 / CAST(:n_bins AS int)
                                 FROM generate_series(1, CAST(:n_bins AS int) - 1) k))
               WITHIN GROUP (ORDER BY p::float8) AS edges
    FROM forecasts
    WHERE CAST(:strategy AS text) = 'quantile'
    GROUP BY model_id, forecaster
),
binned AS (
    SELECT f.*, c.edges,
           CASE WHEN CAST(:strategy AS text) = 'quantile'
                THEN (SELECT count(*) FROM unnest(c.edges) x WHERE x < f.p::float8)::int
                ELSE greatest(ceil(f.p * CAST(:n_bins AS int)) - 1, 0)::int END AS bin
    FROM forecasts f
    LEFT JOIN cuts c USING (model_id, forecaster)
)
SELECT model_id, model_version, forecaster, bin,
       CASE WHEN CAST(:strategy AS text) = 'quantile' THEN coalesce(min(edges[bin]), 0)
            ELSE bin::float8 / CAST(:n_bins AS int) END AS bin_lower,
       CASE WHEN CAST(:strategy AS text) = 'quantile' THEN coalesce(min(edges[bin + 1]), 1)
            ELSE (bin + 1)::float8 / CAST(:n_bins AS int) END AS bin_upper,
       count(*) AS n,
       sum(p) AS sum_p,
       sum(y) AS sum_y,
       sum(p * p) AS sum_p2,
       sum(p * y) AS sum_py,
       sum((p - y) * (p - y)) AS brier_sum,
       sum(-(y::float8 * ln(greatest(p::float8, 1e-15)) + (1 - y::float8) * ln(greatest(1 - p::float8, 1e-15)))) AS log_loss_sum,
       min(p) AS min_p,
       max(p) AS max_p
FROM binned
GROUP BY model_id, model_version, forecaster, bin
ORDER BY model_version, model_id, forecaster DESC, bin;
