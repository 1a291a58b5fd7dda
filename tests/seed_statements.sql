-- The seed's (004, schema v1.7) example statements and query patterns, in the seed's order and
-- as written, except where a comment says why not. Each statement is separated by a line
-- "-- statement: <name>"; tests/test_seed_statements.py runs them in order in one transaction.

-- statement: example probability_matrices name update
UPDATE probability_matrices
SET
    matrix_name = 'nfl_halftime_comeback',
    description = 'Win probability for NFL teams trailing at halftime, segmented by point differential and home/away status'
WHERE category = 'sports' AND subcategory = 'nfl' AND state_descriptor = 'halftime';

-- statement: example original model
INSERT INTO probability_models (model_name, model_version, model_type, sport, config, status)
VALUES ('elo_nfl', 'v1.0', 'elo', 'nfl', '{"k_factor": 28, "initial_rating": 1500}', 'active');

-- statement: example model bug fix as a new version
INSERT INTO probability_models (model_name, model_version, model_type, sport, config, status)
VALUES ('elo_nfl', 'v1.1', 'elo', 'nfl', '{"k_factor": 30, "initial_rating": 1500}', 'active');

-- statement: example deprecate the old model version
UPDATE probability_models SET status = 'deprecated' WHERE model_name = 'elo_nfl' AND model_version = 'v1.0';

-- statement: example original strategy
INSERT INTO strategies (strategy_name, strategy_version, strategy_type, sport, config, status)
VALUES ('halftime_entry', 'v1.0', 'entry', 'nfl', '{"min_lead": 7, "max_spread": 0.08}', 'testing');

-- statement: example strategy bug fix as a new version
INSERT INTO strategies (strategy_name, strategy_version, strategy_type, sport, config, status)
VALUES ('halftime_entry', 'v1.1', 'entry', 'nfl', '{"min_lead": 10, "max_spread": 0.08}', 'testing');

-- statement: example update strategy metrics
UPDATE strategies SET paper_roi = 0.15, paper_trades_count = 42
WHERE strategy_name = 'halftime_entry' AND strategy_version = 'v1.1';

-- statement: example log a critical alert
INSERT INTO alerts (
    alert_type, severity, category, component, message, details,
    notification_channels, fingerprint, environment
)
VALUES (
    'circuit_breaker', 'critical', 'risk', 'position_manager',
    'Daily loss limit exceeded: $525.00 / $500.00 limit',
    '{"current_loss": 525.00, "limit": 500.00, "breaker_type": "daily_loss_limit"}',
    '{"email": true, "sms": true, "console": true, "file": true}',
    md5('circuit_breaker:position_manager:daily_loss_limit'),
    'demo'
);

-- statement: method_id columns (v1.6 "Database Changes Required")
-- Not as written: schema.sql already creates trades.method_id and edges.method_id, so the seed's
-- plain ADD COLUMN would fail; the same change with IF NOT EXISTS is a no-op.
ALTER TABLE trades ADD COLUMN IF NOT EXISTS method_id INT REFERENCES methods(method_id);
CREATE INDEX IF NOT EXISTS idx_trades_method ON trades(method_id);
ALTER TABLE edges ADD COLUMN IF NOT EXISTS method_id INT REFERENCES methods(method_id);
CREATE INDEX IF NOT EXISTS idx_edges_method ON edges(method_id);

-- statement: a method template to create a method from (the seed's usage example needs one)
INSERT INTO method_templates (template_name, position_mgmt_config, risk_config, execution_config)
VALUES ('conservative', '{"stop_loss": 0.10}', '{"kelly_fraction": 0.15}', '{"order_type": "limit"}');

-- statement: example create method from template
-- Not as written: the seed elides the column list ("...") and hard-codes ids 1 and 2, and
-- omits config_hash (NOT NULL); here the columns are spelled out and the ids looked up.
INSERT INTO methods (method_name, method_version, strategy_id, model_id, position_mgmt_config, risk_config,
                     execution_config, sport_config, config_hash)
SELECT
    'my_nfl_method',
    'v1.0',
    (SELECT strategy_id FROM strategies WHERE strategy_name = 'halftime_entry' AND strategy_version = 'v1.0'),
    (SELECT model_id FROM probability_models WHERE model_name = 'elo_nfl' AND model_version = 'v1.1'),
    position_mgmt_config,
    risk_config,
    execution_config,
    coalesce(sport_config, '{}'),
    md5(position_mgmt_config::text || risk_config::text || execution_config::text)
FROM method_templates
WHERE template_name = 'conservative';

-- statement: example feature definitions
INSERT INTO feature_definitions (feature_name, feature_version, category, sport, calculation_method, data_type, unit, description)
VALUES
    ('team_recent_win_pct', 'v1.0', 'team_stats', 'nfl', 'Win percentage over last 5 games', 'float', 'percentage', 'Rolling 5-game win rate'),
    ('home_advantage_score', 'v1.0', 'team_stats', NULL, 'Historical win rate at home vs away', 'float', 'percentage', 'Difference in home vs away performance'),
    ('dvoa_offense', 'v1.0', 'team_stats', 'nfl', 'Football Outsiders DVOA offensive rating', 'float', 'percentage', 'Defense-adjusted Value Over Average for offense'),
    ('epa_per_play', 'v1.0', 'team_stats', 'nfl', 'Expected Points Added per play', 'float', 'points', 'Average EPA across all offensive plays');

-- statement: example historical feature values
INSERT INTO features_historical (feature_id, entity_type, entity_id, timestamp, feature_value)
VALUES
    (1, 'team', 'KC', '2024-10-01', 0.8000),  -- Kansas City 80% win rate on Oct 1
    (1, 'team', 'KC', '2024-10-15', 0.7500),  -- Kansas City 75% win rate on Oct 15
    (2, 'team', 'KC', '2024-10-01', 0.6500);  -- Kansas City home advantage 65% on Oct 1

-- statement: query pattern features for a team at a point in time
SELECT
    fd.feature_name,
    fh.feature_value,
    fh.timestamp
FROM features_historical fh
JOIN feature_definitions fd ON fh.feature_id = fd.feature_id
WHERE fh.entity_type = 'team'
  AND fh.entity_id = 'KC'
  AND fh.timestamp <= '2024-10-15'
ORDER BY fd.feature_name, fh.timestamp DESC;

-- statement: example training dataset
INSERT INTO training_datasets (
    dataset_name, sport, model_type, label_type,
    start_date, end_date, feature_snapshot_date,
    sample_count, feature_ids, feature_count,
    train_test_split, description
)
VALUES (
    'nfl_2024_halftime_predictor',
    'nfl',
    'classification',
    'win_loss',
    '2024-09-01',
    '2024-12-31',
    '2024-12-31',
    500,
    '[1, 2, 3, 5, 7]'::jsonb,
    5,
    '{"train": 0.8, "val": 0.1, "test": 0.1}'::jsonb,
    'NFL 2024 season - predict game winner from halftime stats'
);

-- statement: example training run
INSERT INTO model_training_runs (
    model_id, dataset_id,
    training_started_at, training_completed_at, training_duration_seconds,
    hyperparameters,
    metrics,
    feature_importance,
    status
)
VALUES (
    1,  -- elo_nfl v1.0
    1,  -- nfl_2024_halftime_predictor
    '2024-10-24 10:00:00',
    '2024-10-24 10:15:00',
    900,
    '{"learning_rate": 0.1, "max_depth": 6, "n_estimators": 100}'::jsonb,
    '{"accuracy": 0.72, "auc": 0.78, "calibration": 0.85}'::jsonb,
    '{"team_recent_win_pct": 0.35, "home_advantage_score": 0.25, "dvoa_offense": 0.20}'::jsonb,
    'completed'
);

-- statement: query pattern compare training runs
SELECT
    run_id,
    training_duration_seconds,
    hyperparameters->>'learning_rate' as learning_rate,
    metrics->>'accuracy' as accuracy,
    metrics->>'auc' as auc
FROM model_training_runs
WHERE model_id = 1
ORDER BY metrics->>'accuracy' DESC;

-- statement: rows for the query patterns below (not from the seed)
INSERT INTO platforms (platform_id, platform_type, display_name) VALUES ('kalshi', 'trading', 'Kalshi');
INSERT INTO markets (market_id, platform_id, external_id, ticker, title, yes_price, no_price, volume)
VALUES ('M1', 'kalshi', 'm1', 'KXNFL-M1', 'Will KC win?', 0.6000, 0.4100, 150);
INSERT INTO edges (market_id, strategy_id, model_id, expected_value, true_win_probability, market_implied_probability,
                   market_price, confidence_level)
VALUES ('M1', 1, 2, 0.1000, 0.7000, 0.5940, 0.6000, 'high');
INSERT INTO positions (market_id, platform_id, side, entry_price, quantity, status, trailing_stop_state)
VALUES ('M1', 'kalshi', 'yes', 0.6000, 100, 'open', '{"enabled": true, "current_stop": 0.55}');
INSERT INTO trades (market_id, platform_id, position_id, edge_id, strategy_id, model_id, side, price, quantity)
SELECT 'M1', 'kalshi', position_id, 1, 1, 2, 'buy', 0.6000, 100 FROM positions;

-- statement: query pattern current market price
-- Not as written: `$1` is a placeholder for the market id.
SELECT yes_price, no_price, volume
FROM markets
WHERE market_id = 'M1' AND row_current_ind = TRUE;

-- statement: query pattern active edges above threshold
SELECT e.*, m.ticker, m.title
FROM edges e
JOIN markets m ON e.market_id = m.market_id AND m.row_current_ind = TRUE
WHERE e.row_current_ind = TRUE
  AND e.expected_value >= 0.08
  AND e.confidence_level IN ('high', 'medium')
ORDER BY e.expected_value DESC;

-- statement: query pattern position P&L with trailing stop state
-- Not as written, and it cannot run on any PostgreSQL: it uses the output alias total_cost inside
-- the same SELECT list, and GROUP BY p.position_id with p.* is valid only when position_id is the
-- primary key (SCD Type 2 history makes it the business key; see schema.sql). Corrected: the
-- cost is computed in a subquery per current position row.
SELECT p.*,
       c.total_cost,
       p.quantity * m.yes_price - c.total_cost as unrealized_pnl,
       p.trailing_stop_state->>'enabled' as trailing_stop_enabled,
       p.trailing_stop_state->>'current_stop' as current_stop_price
FROM positions p
JOIN LATERAL (SELECT SUM(t.quantity * t.price) AS total_cost FROM trades t WHERE t.position_id = p.position_id) c ON true
JOIN markets m ON p.market_id = m.market_id AND m.row_current_ind = TRUE
WHERE p.row_current_ind = TRUE AND p.status = 'open';

-- statement: query pattern trade attribution
SELECT * FROM trade_attribution
WHERE created_at >= NOW() - INTERVAL '7 days'
ORDER BY created_at DESC;

-- statement: query pattern A/B test strategy versions
SELECT
    s.strategy_name,
    s.strategy_version,
    s.config,
    COUNT(t.trade_id) as trades,
    AVG(t.price) as avg_price,
    s.paper_roi
FROM strategies s
LEFT JOIN trades t ON s.strategy_id = t.strategy_id
WHERE s.strategy_name = 'halftime_entry'
GROUP BY s.strategy_id
ORDER BY s.strategy_version DESC;

-- statement: query pattern compare model performance
SELECT
    pm.model_name,
    pm.model_version,
    pm.validation_accuracy,
    pm.validation_calibration,
    COUNT(t.trade_id) as live_trades
FROM probability_models pm
LEFT JOIN trades t ON pm.model_id = t.model_id
WHERE pm.model_name = 'elo_nfl'
GROUP BY pm.model_id
ORDER BY pm.model_version DESC;

-- statement: query pattern trade history for analysis
SELECT t.*, e.expected_value, e.confidence_level, s.outcome
FROM trades t
LEFT JOIN edges e ON t.edge_id = e.edge_id
LEFT JOIN settlements s ON t.market_id = s.market_id
WHERE t.created_at >= NOW() - INTERVAL '30 days'
ORDER BY t.created_at DESC;
