-- A Precog database as the trading system made it: the CREATE TABLE, CREATE INDEX and CREATE VIEW
-- statements of the schema document (shared seed 004, "Database Schema Summary" v1.7) exactly as
-- written there, in its order. Nothing of the v1.7 changelog that the statements do not carry is
-- here (row_end_ts, the external-id columns, trade_metadata and the order-execution columns of
-- trades, the surrogate key of migration 009, teams and elo_rating_history): that is the database
-- `python -m queries.schema` must upgrade in place. Each block names the seed section it is from.

-- seed: 1. Platform & Market Hierarchy > platforms
CREATE TABLE platforms (
    platform_id VARCHAR PRIMARY KEY,     -- 'kalshi', 'polymarket'
    platform_type VARCHAR NOT NULL,      -- 'trading', 'data_source'
    display_name VARCHAR NOT NULL,
    base_url VARCHAR,
    websocket_url VARCHAR,
    api_version VARCHAR,
    auth_method VARCHAR,                 -- 'rsa_pss', 'api_key', 'metamask'
    fees_structure JSONB,
    status VARCHAR DEFAULT 'active',
    created_at TIMESTAMP DEFAULT NOW()
);

-- seed: 1. Platform & Market Hierarchy > series
CREATE TABLE series (
    series_id VARCHAR PRIMARY KEY,
    platform_id VARCHAR REFERENCES platforms(platform_id),  -- FK to platforms
    external_id VARCHAR NOT NULL,
    category VARCHAR NOT NULL,           -- 'sports', 'politics', 'entertainment'
    subcategory VARCHAR,                 -- 'nfl', 'presidential', 'boxoffice'
    title VARCHAR NOT NULL,
    frequency VARCHAR,                   -- 'single', 'recurring'
    metadata JSONB,                      -- Platform/category-specific data
    created_at TIMESTAMP DEFAULT NOW(),
    updated_at TIMESTAMP DEFAULT NOW()
);

-- seed: 1. Platform & Market Hierarchy > events
CREATE TABLE events (
    event_id VARCHAR PRIMARY KEY,
    platform_id VARCHAR REFERENCES platforms(platform_id),  -- FK to platforms
    series_id VARCHAR REFERENCES series(series_id),         -- FK to series
    external_id VARCHAR NOT NULL,
    category VARCHAR NOT NULL,
    subcategory VARCHAR,
    title VARCHAR NOT NULL,
    description TEXT,
    start_time TIMESTAMP,
    end_time TIMESTAMP,
    status VARCHAR,                      -- 'scheduled', 'live', 'final', 'cancelled'
    result JSONB,                        -- Final outcome data
    metadata JSONB,
    created_at TIMESTAMP DEFAULT NOW(),
    updated_at TIMESTAMP DEFAULT NOW()
);

-- seed: 1. Platform & Market Hierarchy > markets
CREATE TABLE markets (
    market_id VARCHAR PRIMARY KEY,
    platform_id VARCHAR REFERENCES platforms(platform_id),  -- FK to platforms
    event_id VARCHAR REFERENCES events(event_id),           -- FK to events
    external_id VARCHAR NOT NULL,
    ticker VARCHAR,
    title VARCHAR NOT NULL,
    market_type VARCHAR,                 -- 'binary', 'categorical', 'scalar'
    yes_price DECIMAL(10,4),             -- Current yes price (0.0000-1.0000) - EXACT PRECISION
    no_price DECIMAL(10,4),              -- Current no price (0.0000-1.0000) - EXACT PRECISION
    volume INT,
    open_interest INT,
    spread DECIMAL(10,4),                -- DECIMAL for price precision
    status VARCHAR,                      -- 'open', 'closed', 'settled'
    settlement_value DECIMAL(10,4),      -- Final settlement (if settled) - EXACT PRECISION
    metadata JSONB,
    created_at TIMESTAMP DEFAULT NOW(),
    updated_at TIMESTAMP DEFAULT NOW(),
    row_current_ind BOOLEAN DEFAULT TRUE  -- ✅ VERSIONED DATA (prices change frequently)
);

CREATE INDEX idx_markets_event ON markets(event_id);
CREATE INDEX idx_markets_platform ON markets(platform_id);
CREATE INDEX idx_markets_current ON markets(row_current_ind) WHERE row_current_ind = TRUE;

-- seed: 2. Live Game Data > game_states
CREATE TABLE game_states (
    game_state_id SERIAL PRIMARY KEY,
    event_id VARCHAR REFERENCES events(event_id),           -- FK to events
    external_game_id VARCHAR,
    sport VARCHAR NOT NULL,              -- 'nfl', 'nba', 'tennis', 'mlb'
    home_team VARCHAR,
    away_team VARCHAR,
    home_score INT,
    away_score INT,
    period VARCHAR,                      -- 'Q1', 'Q2', 'Halftime', 'Q3', 'Q4', 'OT', 'Final'
    time_remaining VARCHAR,              -- '12:45', '00:00'
    possession VARCHAR,                  -- 'home', 'away', null
    status VARCHAR,                      -- 'scheduled', 'pregame', 'live', 'halftime', 'final'
    sport_metadata JSONB,                -- Sport-specific data (down, distance, fouls, etc.)
    created_at TIMESTAMP DEFAULT NOW(),
    updated_at TIMESTAMP DEFAULT NOW(),
    row_current_ind BOOLEAN DEFAULT TRUE  -- ✅ VERSIONED DATA (scores update frequently)
);

CREATE INDEX idx_game_states_event ON game_states(event_id);
CREATE INDEX idx_game_states_sport ON game_states(sport);
CREATE INDEX idx_game_states_current ON game_states(row_current_ind) WHERE row_current_ind = TRUE;

-- seed: 3. Probability & Edge Detection > probability_matrices
CREATE TABLE probability_matrices (
    probability_id SERIAL PRIMARY KEY,
    category VARCHAR NOT NULL,           -- 'sports', 'politics', 'entertainment'
    subcategory VARCHAR NOT NULL,        -- 'nfl', 'nba', 'presidential', 'boxoffice'
    version VARCHAR NOT NULL,            -- 'v1.0', 'v2.0'
    state_descriptor VARCHAR NOT NULL,   -- 'halftime', '30_days_before', 'opening_weekend'
    value_bucket VARCHAR NOT NULL,       -- '10+_points', 'polling_3to5_ahead', 'budget_50to100M'
    situational_factors JSONB,           -- Flexible metadata (home/away, fav/underdog, etc.)
    win_probability DECIMAL(10,4) NOT NULL,  -- EXACT PRECISION: 0.0000-1.0000
    confidence_interval_lower DECIMAL(10,4), -- EXACT PRECISION
    confidence_interval_upper DECIMAL(10,4), -- EXACT PRECISION
    sample_size INT,
    source VARCHAR,                      -- Data source for probabilities
    methodology TEXT,                    -- How probabilities calculated
    matrix_name VARCHAR,                 -- NEW v1.6: Human-readable matrix name (e.g., 'nfl_halftime_comeback')
    description TEXT,                    -- NEW v1.6: Detailed description of what this matrix represents
    created_at TIMESTAMP DEFAULT NOW()
);

CREATE INDEX idx_probability_lookup ON probability_matrices(category, subcategory, version, state_descriptor, value_bucket);
CREATE INDEX idx_probability_matrices_name ON probability_matrices(matrix_name);  -- NEW v1.6

-- seed: 3. Probability & Edge Detection > probability_models (NEW in v1.4)
CREATE TABLE probability_models (
    model_id SERIAL PRIMARY KEY,
    model_name VARCHAR NOT NULL,         -- 'elo_nfl', 'regression_nba', 'ensemble_v1'
    model_version VARCHAR NOT NULL,      -- 'v1.0', 'v1.1', 'v2.0' (semantic versioning)
    model_type VARCHAR NOT NULL,         -- 'elo', 'regression', 'ensemble', 'ml'
    sport VARCHAR,                       -- 'nfl', 'nba', 'mlb' (NULL for multi-sport)
    config JSONB NOT NULL,               -- ⚠️ IMMUTABLE: Model parameters/hyperparameters
    description TEXT,
    status VARCHAR DEFAULT 'draft',      -- ✅ MUTABLE: 'draft', 'training', 'validating', 'active', 'deprecated'
    validation_accuracy DECIMAL(10,4),   -- ✅ MUTABLE: Accuracy on validation set
    validation_calibration DECIMAL(10,4),-- ✅ MUTABLE: Calibration score
    validation_sample_size INT,          -- ✅ MUTABLE: Number of validation samples
    created_at TIMESTAMP DEFAULT NOW(),
    created_by VARCHAR,
    notes TEXT,
    UNIQUE(model_name, model_version)    -- Enforce unique versions per model
    -- ❌ NO row_current_ind (versions are IMMUTABLE)
);

CREATE INDEX idx_probability_models_name ON probability_models(model_name);
CREATE INDEX idx_probability_models_status ON probability_models(status);
CREATE INDEX idx_probability_models_active ON probability_models(status) WHERE status = 'active';

-- seed: 3. Probability & Edge Detection > strategies (NEW in v1.4)
CREATE TABLE strategies (
    strategy_id SERIAL PRIMARY KEY,
    strategy_name VARCHAR NOT NULL,      -- 'halftime_entry', 'underdog_fade', 'momentum_scalp'
    strategy_version VARCHAR NOT NULL,   -- 'v1.0', 'v1.1', 'v2.0' (semantic versioning)
    strategy_type VARCHAR NOT NULL,      -- 'entry', 'exit', 'sizing', 'hedging'
    sport VARCHAR,                       -- 'nfl', 'nba', 'mlb' (NULL for multi-sport)
    config JSONB NOT NULL,               -- ⚠️ IMMUTABLE: Strategy parameters/rules
    description TEXT,
    status VARCHAR DEFAULT 'draft',      -- ✅ MUTABLE: 'draft', 'testing', 'active', 'inactive', 'deprecated'
    paper_roi DECIMAL(10,4),             -- ✅ MUTABLE: ROI from paper trading
    live_roi DECIMAL(10,4),              -- ✅ MUTABLE: ROI from live trading
    paper_trades_count INT DEFAULT 0,    -- ✅ MUTABLE: Number of paper trades executed
    live_trades_count INT DEFAULT 0,     -- ✅ MUTABLE: Number of live trades executed
    created_at TIMESTAMP DEFAULT NOW(),
    created_by VARCHAR,
    notes TEXT,
    UNIQUE(strategy_name, strategy_version)  -- Enforce unique versions per strategy
    -- ❌ NO row_current_ind (versions are IMMUTABLE)
);

CREATE INDEX idx_strategies_name ON strategies(strategy_name);
CREATE INDEX idx_strategies_status ON strategies(status);
CREATE INDEX idx_strategies_active ON strategies(status) WHERE status = 'active';

-- seed: 3. Probability & Edge Detection > edges
CREATE TABLE edges (
    edge_id SERIAL PRIMARY KEY,
    market_id VARCHAR REFERENCES markets(market_id),            -- FK to markets
    probability_matrix_id INT REFERENCES probability_matrices(probability_id),  -- FK to probability_matrices
    strategy_id INT REFERENCES strategies(strategy_id),         -- FK to strategies (NEW in v1.4)
    model_id INT REFERENCES probability_models(model_id),       -- FK to probability_models (NEW in v1.4)
    expected_value DECIMAL(10,4) NOT NULL,        -- EXACT PRECISION for EV calculations
    true_win_probability DECIMAL(10,4) NOT NULL,  -- EXACT PRECISION: 0.0000-1.0000
    market_implied_probability DECIMAL(10,4) NOT NULL,  -- EXACT PRECISION: 0.0000-1.0000
    market_price DECIMAL(10,4) NOT NULL,          -- EXACT PRECISION: $0.0000-$1.0000
    confidence_level VARCHAR,            -- 'high', 'medium', 'low'
    confidence_metrics JSONB,            -- {sample_size, ci_width, data_recency}
    recommended_action VARCHAR,          -- 'auto_execute', 'alert', 'ignore'
    created_at TIMESTAMP DEFAULT NOW(),
    row_current_ind BOOLEAN DEFAULT TRUE  -- ✅ VERSIONED DATA (market conditions change)
);

CREATE INDEX idx_edges_market ON edges(market_id);
CREATE INDEX idx_edges_probability ON edges(probability_matrix_id);
CREATE INDEX idx_edges_strategy ON edges(strategy_id);  -- NEW in v1.4
CREATE INDEX idx_edges_model ON edges(model_id);        -- NEW in v1.4
CREATE INDEX idx_edges_ev ON edges(expected_value) WHERE row_current_ind = TRUE;
CREATE INDEX idx_edges_current ON edges(row_current_ind) WHERE row_current_ind = TRUE;

-- seed: 4. Trading & Positions > positions
CREATE TABLE positions (
    position_id SERIAL PRIMARY KEY,
    market_id VARCHAR REFERENCES markets(market_id),            -- FK to markets
    platform_id VARCHAR REFERENCES platforms(platform_id),      -- FK to platforms
    side VARCHAR NOT NULL,               -- 'yes', 'no'
    entry_price DECIMAL(10,4) NOT NULL,  -- EXACT PRECISION: $0.0000-$1.0000
    quantity INT NOT NULL,
    fees DECIMAL(10,4),                  -- EXACT PRECISION for fee calculations
    status VARCHAR DEFAULT 'open',       -- 'open', 'closed', 'settled'

    -- P&L Tracking
    unrealized_pnl DECIMAL(10,4),        -- EXACT PRECISION for P&L
    realized_pnl DECIMAL(10,4),          -- EXACT PRECISION for P&L

    -- NEW in v1.5: Monitoring Fields (Phase 5)
    current_price DECIMAL(10,4),         -- Latest market price from monitoring loop
    unrealized_pnl_pct DECIMAL(6,4),     -- Unrealized P&L as percentage (e.g., 0.1234 = 12.34%)
    last_update TIMESTAMP,               -- Last monitoring check timestamp

    -- Trailing Stop Management (v1.4)
    trailing_stop_state JSONB,           -- {active, peak_price, current_stop_price, current_distance}

    -- NEW in v1.5: Exit Tracking (Phase 5)
    exit_reason VARCHAR(50),             -- stop_loss, trailing_stop, profit_target, etc.
    exit_priority VARCHAR(20),           -- CRITICAL, HIGH, MEDIUM, LOW

    created_at TIMESTAMP DEFAULT NOW(),
    updated_at TIMESTAMP DEFAULT NOW(),
    row_current_ind BOOLEAN DEFAULT TRUE  -- ✅ VERSIONED DATA (quantity/price/stop changes)
);

CREATE INDEX idx_positions_market ON positions(market_id);
CREATE INDEX idx_positions_platform ON positions(platform_id);
CREATE INDEX idx_positions_status ON positions(status);
CREATE INDEX idx_positions_current ON positions(row_current_ind) WHERE row_current_ind = TRUE;
CREATE INDEX idx_positions_last_update ON positions(last_update);  -- NEW v1.5: Monitor loop queries

-- seed: 4. Trading & Positions > trades
CREATE TABLE trades (
    trade_id SERIAL PRIMARY KEY,
    market_id VARCHAR REFERENCES markets(market_id),            -- FK to markets
    platform_id VARCHAR REFERENCES platforms(platform_id),      -- FK to platforms
    position_id INT REFERENCES positions(position_id),          -- FK to positions
    edge_id INT REFERENCES edges(edge_id),                      -- FK to edges (what triggered trade)
    strategy_id INT REFERENCES strategies(strategy_id),         -- FK to strategies (NEW in v1.4)
    model_id INT REFERENCES probability_models(model_id),       -- FK to probability_models (NEW in v1.4)
    order_id VARCHAR,                    -- Platform's order ID
    side VARCHAR NOT NULL,               -- 'buy', 'sell'
    price DECIMAL(10,4) NOT NULL,        -- EXACT PRECISION: $0.0000-$1.0000
    quantity INT NOT NULL,
    fees DECIMAL(10,4),                  -- EXACT PRECISION for fee calculations
    edge_at_execution DECIMAL(10,4),     -- EXACT PRECISION for historical edge
    confidence_at_execution VARCHAR,
    created_at TIMESTAMP DEFAULT NOW()
    -- ❌ NO row_current_ind (trades are immutable)
);

CREATE INDEX idx_trades_market ON trades(market_id);
CREATE INDEX idx_trades_platform ON trades(platform_id);
CREATE INDEX idx_trades_position ON trades(position_id);
CREATE INDEX idx_trades_edge ON trades(edge_id);
CREATE INDEX idx_trades_strategy ON trades(strategy_id);      -- NEW in v1.4
CREATE INDEX idx_trades_model ON trades(model_id);            -- NEW in v1.4
CREATE INDEX idx_trades_created ON trades(created_at);

-- seed: 4. Trading & Positions > position_exits (NEW in v1.5)
CREATE TABLE position_exits (
    exit_id SERIAL PRIMARY KEY,
    position_id INT REFERENCES positions(position_id),          -- FK to positions
    exit_condition VARCHAR(50) NOT NULL,     -- stop_loss, trailing_stop, profit_target, etc.
    exit_priority VARCHAR(20) NOT NULL,      -- CRITICAL, HIGH, MEDIUM, LOW
    quantity_exited INT NOT NULL,            -- Contracts exited (supports partial exits)
    exit_price DECIMAL(10,4) NOT NULL,       -- EXACT PRECISION: Actual fill price
    unrealized_pnl_at_exit DECIMAL(10,4),    -- P&L at time of exit
    created_at TIMESTAMP DEFAULT NOW()
    -- ❌ NO row_current_ind (exits are immutable events)
);

CREATE INDEX idx_position_exits_position ON position_exits(position_id);
CREATE INDEX idx_position_exits_condition ON position_exits(exit_condition);
CREATE INDEX idx_position_exits_priority ON position_exits(exit_priority);
CREATE INDEX idx_position_exits_created ON position_exits(created_at);

-- seed: 4. Trading & Positions > exit_attempts (NEW in v1.5)
CREATE TABLE exit_attempts (
    attempt_id SERIAL PRIMARY KEY,
    position_id INT REFERENCES positions(position_id),          -- FK to positions
    exit_condition VARCHAR(50) NOT NULL,     -- Which condition triggered this attempt
    priority_level VARCHAR(20) NOT NULL,     -- CRITICAL, HIGH, MEDIUM, LOW
    order_type VARCHAR(20) NOT NULL,         -- market, limit
    limit_price DECIMAL(10,4),               -- Limit price if order_type = 'limit'
    fill_price DECIMAL(10,4),                -- Actual fill price (NULL if didn't fill)
    quantity INT NOT NULL,                   -- Quantity attempted
    attempt_number INT NOT NULL,             -- 1st attempt, 2nd walk, 3rd walk, etc.
    timeout_seconds INT,                     -- Timeout before next attempt
    success BOOLEAN,                         -- Did this attempt result in fill?
    created_at TIMESTAMP DEFAULT NOW()
    -- ❌ NO row_current_ind (attempts are immutable logs)
);

CREATE INDEX idx_exit_attempts_position ON exit_attempts(position_id);
CREATE INDEX idx_exit_attempts_condition ON exit_attempts(exit_condition);
CREATE INDEX idx_exit_attempts_success ON exit_attempts(success);
CREATE INDEX idx_exit_attempts_created ON exit_attempts(created_at);

-- seed: 4. Trading & Positions > settlements
CREATE TABLE settlements (
    settlement_id SERIAL PRIMARY KEY,
    market_id VARCHAR REFERENCES markets(market_id),            -- FK to markets
    platform_id VARCHAR REFERENCES platforms(platform_id),      -- FK to platforms
    outcome VARCHAR NOT NULL,            -- 'yes', 'no', or other
    payout DECIMAL(10,4),                -- EXACT PRECISION for payout amounts
    created_at TIMESTAMP DEFAULT NOW()
    -- ❌ NO row_current_ind (settlements are final)
);

CREATE INDEX idx_settlements_market ON settlements(market_id);
CREATE INDEX idx_settlements_platform ON settlements(platform_id);

-- seed: 4. Trading & Positions > account_balance
CREATE TABLE account_balance (
    balance_id SERIAL PRIMARY KEY,
    platform_id VARCHAR REFERENCES platforms(platform_id),      -- FK to platforms
    balance DECIMAL(10,4) NOT NULL,      -- EXACT PRECISION for account balance
    currency VARCHAR DEFAULT 'USD',
    created_at TIMESTAMP DEFAULT NOW(),
    row_current_ind BOOLEAN DEFAULT TRUE  -- ✅ VERSIONED DATA
);

CREATE INDEX idx_balance_platform ON account_balance(platform_id);
CREATE INDEX idx_balance_current ON account_balance(row_current_ind) WHERE row_current_ind = TRUE;

-- seed: 5. Configuration & State > config_overrides
CREATE TABLE config_overrides (
    override_id SERIAL PRIMARY KEY,
    config_key VARCHAR NOT NULL,         -- 'trading.sports_live.execution.max_spread'
    override_value JSONB NOT NULL,       -- {value: 0.08}
    data_type VARCHAR,                   -- 'float', 'int', 'bool', 'string'
    reason TEXT,                         -- Why override was applied
    applied_by VARCHAR,                  -- Who/what applied it
    applied_at TIMESTAMP DEFAULT NOW(),
    expires_at TIMESTAMP,                -- Optional expiration
    active BOOLEAN DEFAULT TRUE
);

CREATE INDEX idx_config_overrides_key ON config_overrides(config_key);
CREATE INDEX idx_config_overrides_active ON config_overrides(active) WHERE active = TRUE;

-- seed: 5. Configuration & State > circuit_breaker_events
CREATE TABLE circuit_breaker_events (
    event_id SERIAL PRIMARY KEY,
    breaker_type VARCHAR NOT NULL,       -- 'daily_loss_limit', 'api_failures', 'data_stale'
    triggered_at TIMESTAMP DEFAULT NOW(),
    resolved_at TIMESTAMP,
    trigger_value JSONB,                 -- What caused trigger
    resolution_action VARCHAR,           -- How it was resolved
    notes TEXT
);

CREATE INDEX idx_circuit_breaker_triggered ON circuit_breaker_events(triggered_at);

-- seed: 5. Configuration & State > system_health
CREATE TABLE system_health (
    health_id SERIAL PRIMARY KEY,
    component VARCHAR NOT NULL,          -- 'kalshi_api', 'database', 'edge_detector'
    status VARCHAR NOT NULL,             -- 'healthy', 'degraded', 'down'
    last_check TIMESTAMP DEFAULT NOW(),
    details JSONB,                       -- Metrics, error messages
    alert_sent BOOLEAN DEFAULT FALSE
);

CREATE INDEX idx_health_component ON system_health(component);
CREATE INDEX idx_health_status ON system_health(status);

-- seed: 5. Configuration & State > alerts (NEW in v1.6)
CREATE TABLE alerts (
    alert_id SERIAL PRIMARY KEY,
    alert_uuid UUID DEFAULT gen_random_uuid() UNIQUE,

    -- Classification
    alert_type VARCHAR NOT NULL,        -- 'circuit_breaker', 'api_failure', 'loss_threshold', 'health_degraded'
    severity VARCHAR NOT NULL,          -- 'critical', 'high', 'medium', 'low'
    category VARCHAR,                   -- 'risk', 'system', 'trading', 'data'
    component VARCHAR NOT NULL,         -- 'kalshi_api', 'edge_detector', 'position_manager'

    -- Message
    message TEXT NOT NULL,              -- Human-readable alert message
    details JSONB,                      -- Additional context (stack traces, metrics, config values)

    -- Source tracking
    source_table VARCHAR,               -- 'circuit_breaker_events', 'system_health', 'trades'
    source_id INT,                      -- FK to source table record

    -- Timestamps
    triggered_at TIMESTAMP DEFAULT NOW() NOT NULL,
    acknowledged_at TIMESTAMP,
    resolved_at TIMESTAMP,

    -- Acknowledgement & Resolution
    acknowledged_by VARCHAR,            -- Username or system
    acknowledged_notes TEXT,
    resolved_by VARCHAR,
    resolved_notes TEXT,
    resolution_action VARCHAR,          -- 'fixed', 'false_positive', 'ignored', 'escalated'

    -- Notification tracking
    notification_sent BOOLEAN DEFAULT FALSE,
    notification_channels JSONB,        -- {'email': true, 'sms': true, 'slack': false}
    notification_sent_at TIMESTAMP,
    notification_attempts INT DEFAULT 0,
    notification_errors JSONB,          -- Track delivery failures

    -- Deduplication
    fingerprint VARCHAR(64),            -- MD5 hash for detecting duplicates
    suppressed BOOLEAN DEFAULT FALSE,   -- Rate-limited/suppressed duplicate

    -- Metadata
    environment VARCHAR,                -- 'demo', 'prod'
    tags JSONB,                         -- Flexible tagging

    -- Constraints
    CHECK (severity IN ('critical', 'high', 'medium', 'low')),
    CHECK (resolution_action IS NULL OR resolution_action IN ('fixed', 'false_positive', 'ignored', 'escalated'))
);

-- Indexes
CREATE INDEX idx_alerts_type ON alerts(alert_type);
CREATE INDEX idx_alerts_severity ON alerts(severity);
CREATE INDEX idx_alerts_component ON alerts(component);
CREATE INDEX idx_alerts_triggered ON alerts(triggered_at DESC);
CREATE INDEX idx_alerts_unresolved ON alerts(resolved_at) WHERE resolved_at IS NULL;
CREATE INDEX idx_alerts_fingerprint ON alerts(fingerprint) WHERE fingerprint IS NOT NULL;
CREATE INDEX idx_alerts_environment ON alerts(environment);

-- seed: 6. Trading Methods (Phase 4-5 - PLACEHOLDERS) > methods (PLACEHOLDER - Phase 4-5)
-- Designed in Phase 0.5 (ADR-021)
-- Implementation deferred to Phase 4-5
-- See ADR_021_METHOD_ABSTRACTION.md for complete specification

CREATE TABLE methods (
    method_id SERIAL PRIMARY KEY,

    -- Naming and Versioning (immutable once created)
    method_name VARCHAR NOT NULL,       -- 'conservative_nfl', 'aggressive_nba'
    method_version VARCHAR NOT NULL,    -- 'v1.0', 'v1.1', 'v2.0' (semantic versioning)

    -- Component References (immutable once created)
    strategy_id INT NOT NULL REFERENCES strategies(strategy_id),   -- Which strategy
    model_id INT NOT NULL REFERENCES probability_models(model_id), -- Which model

    -- Configuration (immutable once created)
    position_mgmt_config JSONB NOT NULL,  -- Position management rules
    risk_config JSONB NOT NULL,           -- Risk parameters (Kelly fraction, limits)
    execution_config JSONB NOT NULL,      -- Order execution settings
    sport_config JSONB NOT NULL,          -- Sport-specific overrides
    config_hash VARCHAR(64) NOT NULL,     -- MD5 hash of all configs for comparison

    -- Lifecycle Management (mutable)
    status VARCHAR DEFAULT 'draft',       -- 'draft', 'testing', 'active', 'deprecated'
    activated_at TIMESTAMP,
    deactivated_at TIMESTAMP,

    -- Performance Metrics (mutable)
    paper_roi DECIMAL(10,4),              -- Paper trading ROI
    live_roi DECIMAL(10,4),               -- Live trading ROI
    sharpe_ratio DECIMAL(10,4),           -- Risk-adjusted return
    win_rate DECIMAL(6,4),                -- Percentage of winning trades
    total_trades INT DEFAULT 0,           -- Number of trades executed

    -- Documentation
    description TEXT,
    notes TEXT,
    created_at TIMESTAMP DEFAULT NOW(),
    created_by VARCHAR,

    -- Constraints
    UNIQUE(method_name, method_version)
);

-- Indexes (for Phase 4-5)
CREATE INDEX idx_methods_name ON methods(method_name);
CREATE INDEX idx_methods_status ON methods(status);
CREATE INDEX idx_methods_active ON methods(status) WHERE status = 'active';
CREATE INDEX idx_methods_strategy ON methods(strategy_id);
CREATE INDEX idx_methods_model ON methods(model_id);
CREATE INDEX idx_methods_hash ON methods(config_hash);

-- seed: 6. Trading Methods (Phase 4-5 - PLACEHOLDERS) > method_templates (PLACEHOLDER - Phase 4-5)
CREATE TABLE method_templates (
    template_id SERIAL PRIMARY KEY,
    template_name VARCHAR NOT NULL UNIQUE,  -- 'conservative', 'moderate', 'aggressive'
    description TEXT,
    position_mgmt_config JSONB NOT NULL,
    risk_config JSONB NOT NULL,
    execution_config JSONB NOT NULL,
    sport_config JSONB,                     -- Optional sport-specific defaults
    created_at TIMESTAMP DEFAULT NOW()
);

-- seed: 7. Machine Learning Infrastructure (Phase 9 - PLACEHOLDERS) > feature_definitions (PLACEHOLDER - Phase 9)
-- Designed for Phase 9
-- Implementation deferred until XGBoost/LSTM models are introduced

CREATE TABLE feature_definitions (
    feature_id SERIAL PRIMARY KEY,

    -- Naming and Versioning (immutable once created)
    feature_name VARCHAR NOT NULL,          -- 'team_recent_win_pct', 'home_advantage_score'
    feature_version VARCHAR NOT NULL,       -- 'v1.0', 'v1.1' (versioning for calculation changes)

    -- Classification
    category VARCHAR NOT NULL,              -- 'team_stats', 'player_stats', 'market_derived'
    sport VARCHAR,                          -- 'nfl', 'nba', 'mlb', NULL for multi-sport

    -- Calculation Details
    calculation_method TEXT,                -- Human-readable description of calculation
    data_type VARCHAR NOT NULL,             -- 'float', 'int', 'boolean', 'categorical'
    unit VARCHAR,                           -- 'percentage', 'points', 'seconds', NULL

    -- Metadata
    description TEXT,                       -- Detailed description of what feature represents
    status VARCHAR DEFAULT 'active',        -- 'active', 'deprecated'
    created_at TIMESTAMP DEFAULT NOW(),
    created_by VARCHAR,

    -- Constraints
    UNIQUE(feature_name, feature_version)   -- Enforce unique versions per feature
);

CREATE INDEX idx_feature_definitions_name ON feature_definitions(feature_name);
CREATE INDEX idx_feature_definitions_sport ON feature_definitions(sport);
CREATE INDEX idx_feature_definitions_category ON feature_definitions(category);
CREATE INDEX idx_feature_definitions_active ON feature_definitions(status) WHERE status = 'active';

-- seed: 7. Machine Learning Infrastructure (Phase 9 - PLACEHOLDERS) > features_historical (PLACEHOLDER - Phase 9)
-- Designed for Phase 9
-- Implementation deferred until XGBoost/LSTM models are introduced

CREATE TABLE features_historical (
    feature_record_id SERIAL PRIMARY KEY,

    -- Feature Reference
    feature_id INT NOT NULL REFERENCES feature_definitions(feature_id),

    -- Entity Reference (what this feature describes)
    entity_type VARCHAR NOT NULL,           -- 'team', 'player', 'market', 'game'
    entity_id VARCHAR NOT NULL,             -- team_id, player_id, market_id, game_id

    -- Time-Series Data
    timestamp TIMESTAMP NOT NULL,           -- Point-in-time when feature was calculated
    feature_value DECIMAL(12,6),            -- The actual feature value (NULL if not applicable)

    -- Metadata
    metadata JSONB,                         -- Additional context (data_sources, confidence, etc.)
    created_at TIMESTAMP DEFAULT NOW()
);

-- Indexes for fast lookups
CREATE INDEX idx_features_historical_lookup ON features_historical(feature_id, entity_id, timestamp);
CREATE INDEX idx_features_historical_entity ON features_historical(entity_type, entity_id);
CREATE INDEX idx_features_historical_timestamp ON features_historical(timestamp);
CREATE INDEX idx_features_historical_feature ON features_historical(feature_id);

-- seed: 7. Machine Learning Infrastructure (Phase 9 - PLACEHOLDERS) > training_datasets (PLACEHOLDER - Phase 9)
-- Designed for Phase 9
-- Implementation deferred until XGBoost/LSTM models are introduced

CREATE TABLE training_datasets (
    dataset_id SERIAL PRIMARY KEY,

    -- Dataset Naming
    dataset_name VARCHAR NOT NULL,          -- 'nfl_2024_q4', 'nba_2023_season'
    sport VARCHAR NOT NULL,                 -- 'nfl', 'nba', 'mlb'

    -- Model Type
    model_type VARCHAR,                     -- 'classification', 'regression', 'ranking'
    label_type VARCHAR NOT NULL,            -- 'win_loss', 'score_differential', 'probability'

    -- Data Range
    start_date TIMESTAMP NOT NULL,          -- Data range start
    end_date TIMESTAMP NOT NULL,            -- Data range end
    feature_snapshot_date TIMESTAMP,        -- When features were extracted

    -- Dataset Details
    sample_count INT,                       -- Number of training examples
    feature_ids JSONB,                      -- Array of feature_ids used: [1, 2, 5, 7]
    feature_count INT,                      -- Number of features

    -- Train/Test Split
    train_test_split JSONB,                 -- {'train': 0.8, 'val': 0.1, 'test': 0.1}

    -- Storage
    storage_path VARCHAR,                   -- Path to parquet/csv file (if exported)
    checksum VARCHAR,                       -- MD5 for integrity verification
    file_size_mb DECIMAL(10,2),             -- File size for tracking

    -- Metadata
    description TEXT,
    created_at TIMESTAMP DEFAULT NOW(),
    created_by VARCHAR
);

CREATE INDEX idx_training_datasets_sport ON training_datasets(sport);
CREATE INDEX idx_training_datasets_dates ON training_datasets(start_date, end_date);
CREATE INDEX idx_training_datasets_model_type ON training_datasets(model_type);

-- seed: 7. Machine Learning Infrastructure (Phase 9 - PLACEHOLDERS) > model_training_runs (PLACEHOLDER - Phase 9)
-- Designed for Phase 9
-- Implementation deferred until XGBoost/LSTM models are introduced

CREATE TABLE model_training_runs (
    run_id SERIAL PRIMARY KEY,

    -- Model Reference
    model_id INT REFERENCES probability_models(model_id),  -- Which model was trained
    dataset_id INT REFERENCES training_datasets(dataset_id), -- Which dataset was used

    -- Training Details
    training_started_at TIMESTAMP,
    training_completed_at TIMESTAMP,
    training_duration_seconds INT,

    -- Hyperparameters
    hyperparameters JSONB NOT NULL,         -- Model-specific hyperparameters

    -- Metrics
    metrics JSONB,                          -- {'accuracy': 0.72, 'auc': 0.78, 'calibration': 0.85, 'brier_score': 0.15}
    train_metrics JSONB,                    -- Metrics on training set
    val_metrics JSONB,                      -- Metrics on validation set
    test_metrics JSONB,                     -- Metrics on test set

    -- Feature Analysis
    feature_importance JSONB,               -- Which features mattered most

    -- Infrastructure
    hardware_specs JSONB,                   -- {'gpu': 'NVIDIA RTX 3090', 'cpu': 'AMD Ryzen 9', 'ram_gb': 64}
    framework_version VARCHAR,              -- 'xgboost==2.0.3', 'pytorch==2.1.1'

    -- Status
    status VARCHAR DEFAULT 'running',       -- 'running', 'completed', 'failed', 'cancelled'
    error_message TEXT,                     -- If status = 'failed'

    -- Metadata
    notes TEXT,
    created_at TIMESTAMP DEFAULT NOW(),
    created_by VARCHAR
);

CREATE INDEX idx_model_training_runs_model ON model_training_runs(model_id);
CREATE INDEX idx_model_training_runs_dataset ON model_training_runs(dataset_id);
CREATE INDEX idx_model_training_runs_status ON model_training_runs(status);
CREATE INDEX idx_model_training_runs_started ON model_training_runs(training_started_at DESC);

-- seed: active_strategies
CREATE VIEW active_strategies AS
SELECT * FROM strategies
WHERE status = 'active'
ORDER BY strategy_name, strategy_version DESC;

-- seed: active_models
CREATE VIEW active_models AS
SELECT * FROM probability_models
WHERE status = 'active'
ORDER BY model_name, model_version DESC;

-- seed: trade_attribution
CREATE VIEW trade_attribution AS
SELECT
    t.trade_id,
    t.created_at,
    t.side,
    t.price,
    t.quantity,
    m.ticker as market_ticker,
    s.strategy_name,
    s.strategy_version,
    s.config as strategy_config,
    pm.model_name,
    pm.model_version,
    pm.config as model_config,
    t.edge_at_execution,
    t.confidence_at_execution
FROM trades t
JOIN markets m ON t.market_id = m.market_id
LEFT JOIN strategies s ON t.strategy_id = s.strategy_id
LEFT JOIN probability_models pm ON t.model_id = pm.model_id
ORDER BY t.created_at DESC;
