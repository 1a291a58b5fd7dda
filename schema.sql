-- Precog database schema: the seed's v1.7 state (27 tables, helper views) plus what the
-- dashboard needs to make the seed's rules hold in the database itself.
--
-- Apply with `python -m queries.schema` (or psql -1 -f schema.sql). The whole file runs in one
-- transaction under an advisory lock, so two processes applying it at once serialise, and a
-- failure leaves nothing half-made. Applying it again changes nothing: every object is
-- CREATE ... IF NOT EXISTS or CREATE OR REPLACE, and the version row is inserted once.
--
-- Decisions where the seed contradicts itself (each repeated where it applies):
--  * SCD Type 2 tables cannot have their business key as PRIMARY KEY: history needs several
--    rows per key. markets and positions get a surrogate `id` (v1.7 did this for markets,
--    migration 009); the business keys `market_id` and `position_id` keep their names so the
--    seed's statements and joins run as written. "One current row per key" is a deferrable
--    exclusion constraint (a unique index cannot be deferred), so the seed's own order -- INSERT
--    the new row, then UPDATE the old one -- works inside a transaction and is checked at commit.
--  * A foreign key cannot point at a non-unique business key, so references to
--    markets(market_id) and positions(position_id) are enforced by triggers (fk_* below). The
--    changelog's `market_uuid` columns appear in no statement of the seed; we keep `market_id`.
--  * The seed's v1.3 note asks for ON DELETE CASCADE. Trades, settlements and exits are
--    append-only financial records; a cascade would delete them, so references use the default
--    NO ACTION and deleting a parent that has such records is refused.
--  * Views never ORDER BY (it fences the planner; callers order). trade_attribution joins the
--    *current* market row: the seed's join on market_id alone repeats each trade once per row of
--    the market's price history.
--  * TIMESTAMP columns (as in the seed) hold UTC: the dashboard's connections set TimeZone=UTC.

SELECT pg_advisory_xact_lock(hashtext('precog.schema'));

-- ---------------------------------------------------------------------------------------------
-- Bookkeeping
-- ---------------------------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS schema_version (
    version     VARCHAR PRIMARY KEY,
    description TEXT NOT NULL,
    applied_at  TIMESTAMP NOT NULL DEFAULT (NOW() AT TIME ZONE 'UTC')
);

-- What the database was before the dashboard was first installed on it, for --uninstall: the
-- installer (queries/install.py) writes the one row, with the catalog of the public schema as it
-- was (keys, foreign keys and view definitions it changed), what PUBLIC could do, the roles it
-- created and the trading system's roles it gave back what schema.sql takes from PUBLIC.
CREATE TABLE IF NOT EXISTS dashboard_install (
    installed_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    version        VARCHAR NOT NULL,
    catalog_before JSONB NOT NULL,
    public_before  JSONB NOT NULL,
    roles_created  TEXT[] NOT NULL,
    roles_granted  TEXT[] NOT NULL
);

-- ---------------------------------------------------------------------------------------------
-- Rule helpers (trigger functions). Error messages are written for people: the dashboard shows
-- them as they are.
-- ---------------------------------------------------------------------------------------------

-- Append-only tables: trades, settlements, position_exits, exit_attempts (and the audit tables).
CREATE OR REPLACE FUNCTION refuse_change_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, lower(TG_OP)
        USING ERRCODE = 'integrity_constraint_violation',
              HINT = 'Record a correction as a new row instead.';
END $$;

-- Immutable versions: the columns named in TG_ARGV never change once a version exists, and a
-- version is never deleted (trades and edges are attributed to it).
CREATE OR REPLACE FUNCTION refuse_change_immutable_version() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    col text;
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION '% rows are immutable versions and cannot be deleted', TG_TABLE_NAME
            USING ERRCODE = 'integrity_constraint_violation',
                  HINT = 'Deprecate the version instead.';
    END IF;
    FOREACH col IN ARRAY TG_ARGV LOOP
        IF to_jsonb(NEW) -> col IS DISTINCT FROM to_jsonb(OLD) -> col THEN
            RAISE EXCEPTION '%.% is immutable once a version is created', TG_TABLE_NAME, col
                USING ERRCODE = 'integrity_constraint_violation',
                      HINT = 'Create a new version (e.g. v1.0 -> v1.1) instead.';
        END IF;
    END LOOP;
    RETURN NEW;
END $$;

-- SCD Type 2 rows: the business key never changes, history rows (row_current_ind = FALSE) never
-- change, and closing a row stamps row_end_ts when the writer did not.
CREATE OR REPLACE FUNCTION scd_guard_update() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    col text;
BEGIN
    IF NOT OLD.row_current_ind THEN
        RAISE EXCEPTION 'history rows of % are immutable', TG_TABLE_NAME
            USING ERRCODE = 'integrity_constraint_violation',
                  HINT = 'Insert a new current row instead.';
    END IF;
    FOREACH col IN ARRAY TG_ARGV LOOP
        IF to_jsonb(NEW) -> col IS DISTINCT FROM to_jsonb(OLD) -> col THEN
            RAISE EXCEPTION '%.% is the business key and cannot change', TG_TABLE_NAME, col
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
    END LOOP;
    IF NOT NEW.row_current_ind AND NEW.row_end_ts IS NULL THEN
        NEW.row_end_ts := NOW() AT TIME ZONE 'UTC';
    END IF;
    RETURN NEW;
END $$;

-- "Exactly one current row": the exclusion constraints give at most one; this deferred check
-- gives at least one, as long as the key has any rows at all. Static SQL per table so each
-- check is an index probe with a cached plan.
CREATE OR REPLACE FUNCTION scd_require_current_row() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    has_rows boolean;
    has_current boolean;
BEGIN
    IF NOT OLD.row_current_ind THEN
        RETURN NULL;
    END IF;
    CASE TG_TABLE_NAME
    WHEN 'markets' THEN
        SELECT count(*) > 0, coalesce(bool_or(row_current_ind), false) INTO has_rows, has_current
          FROM markets WHERE market_id = OLD.market_id;
    WHEN 'positions' THEN
        SELECT count(*) > 0, coalesce(bool_or(row_current_ind), false) INTO has_rows, has_current
          FROM positions WHERE position_id = OLD.position_id;
    WHEN 'game_states' THEN
        SELECT count(*) > 0, coalesce(bool_or(row_current_ind), false) INTO has_rows, has_current
          FROM game_states WHERE event_id = OLD.event_id;
    WHEN 'edges' THEN
        SELECT count(*) > 0, coalesce(bool_or(row_current_ind), false) INTO has_rows, has_current
          FROM edges
         WHERE market_id = OLD.market_id
           AND coalesce(strategy_id, 0) = coalesce(OLD.strategy_id, 0)
           AND coalesce(model_id, 0) = coalesce(OLD.model_id, 0);
    WHEN 'account_balance' THEN
        SELECT count(*) > 0, coalesce(bool_or(row_current_ind), false) INTO has_rows, has_current
          FROM account_balance WHERE platform_id = OLD.platform_id AND currency = OLD.currency;
    END CASE;
    IF has_rows AND NOT has_current THEN
        RAISE EXCEPTION '% would be left without a current row for this key', TG_TABLE_NAME
            USING ERRCODE = 'integrity_constraint_violation',
                  HINT = 'Insert the new current row in the same transaction.';
    END IF;
    RETURN NULL;
END $$;

-- Foreign keys to SCD business keys (see the header): the referenced key must exist ...
CREATE OR REPLACE FUNCTION fk_market_exists() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.market_id IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM markets WHERE market_id = NEW.market_id) THEN
        RAISE EXCEPTION '%.market_id % does not exist in markets', TG_TABLE_NAME, NEW.market_id
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION fk_position_exists() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.position_id IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM positions WHERE position_id = NEW.position_id) THEN
        RAISE EXCEPTION '%.position_id % does not exist in positions', TG_TABLE_NAME, NEW.position_id
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NEW;
END $$;

-- ... and the last row of a key cannot be deleted while anything references it.
CREATE OR REPLACE FUNCTION fk_refuse_orphaning_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    referenced boolean;
BEGIN
    IF TG_TABLE_NAME = 'markets' THEN
        IF EXISTS (SELECT 1 FROM markets WHERE market_id = OLD.market_id AND id <> OLD.id) THEN
            RETURN OLD;
        END IF;
        referenced := EXISTS (SELECT 1 FROM edges WHERE market_id = OLD.market_id)
                   OR EXISTS (SELECT 1 FROM positions WHERE market_id = OLD.market_id)
                   OR EXISTS (SELECT 1 FROM trades WHERE market_id = OLD.market_id)
                   OR EXISTS (SELECT 1 FROM settlements WHERE market_id = OLD.market_id);
    ELSE
        IF EXISTS (SELECT 1 FROM positions WHERE position_id = OLD.position_id AND id <> OLD.id) THEN
            RETURN OLD;
        END IF;
        referenced := EXISTS (SELECT 1 FROM trades WHERE position_id = OLD.position_id)
                   OR EXISTS (SELECT 1 FROM position_exits WHERE position_id = OLD.position_id)
                   OR EXISTS (SELECT 1 FROM exit_attempts WHERE position_id = OLD.position_id);
    END IF;
    IF referenced THEN
        RAISE EXCEPTION 'cannot delete the last row of % %: other tables reference it', TG_TABLE_NAME,
            to_jsonb(OLD) ->> CASE WHEN TG_TABLE_NAME = 'markets' THEN 'market_id' ELSE 'position_id' END
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN OLD;
END $$;

-- ---------------------------------------------------------------------------------------------
-- 1. Platform & market hierarchy
-- ---------------------------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS platforms (
    platform_id   VARCHAR PRIMARY KEY,
    platform_type VARCHAR NOT NULL CHECK (platform_type IN ('trading', 'data_source')),
    display_name  VARCHAR NOT NULL,
    base_url      VARCHAR,
    websocket_url VARCHAR,
    api_version   VARCHAR,
    auth_method   VARCHAR,
    fees_structure JSONB,
    status        VARCHAR DEFAULT 'active' CHECK (status IN ('active', 'inactive', 'maintenance')),
    created_at    TIMESTAMP DEFAULT NOW()
);

CREATE TABLE IF NOT EXISTS series (
    series_id   VARCHAR PRIMARY KEY,
    platform_id VARCHAR REFERENCES platforms(platform_id),
    external_id VARCHAR NOT NULL,
    category    VARCHAR NOT NULL,
    subcategory VARCHAR,
    title       VARCHAR NOT NULL,
    frequency   VARCHAR CHECK (frequency IN ('single', 'recurring')),
    metadata    JSONB,
    created_at  TIMESTAMP DEFAULT NOW(),
    updated_at  TIMESTAMP DEFAULT NOW()
);

CREATE TABLE IF NOT EXISTS events (
    event_id    VARCHAR PRIMARY KEY,
    platform_id VARCHAR REFERENCES platforms(platform_id),
    series_id   VARCHAR REFERENCES series(series_id),
    external_id VARCHAR NOT NULL,
    category    VARCHAR NOT NULL,
    subcategory VARCHAR,
    title       VARCHAR NOT NULL,
    description TEXT,
    start_time  TIMESTAMP,
    end_time    TIMESTAMP,
    status      VARCHAR CHECK (status IN ('scheduled', 'live', 'final', 'cancelled')),
    result      JSONB,
    metadata    JSONB,
    created_at  TIMESTAMP DEFAULT NOW(),
    updated_at  TIMESTAMP DEFAULT NOW()
);
CREATE INDEX IF NOT EXISTS idx_events_series ON events(series_id);
CREATE INDEX IF NOT EXISTS idx_events_start ON events(start_time);

-- markets: SCD Type 2 price history. `id` is the surrogate key (v1.7, migration 009); market_id
-- is the business key that every other table and every seed query joins on.
CREATE TABLE IF NOT EXISTS markets (
    id              SERIAL PRIMARY KEY,
    market_id       VARCHAR NOT NULL,
    platform_id     VARCHAR REFERENCES platforms(platform_id),
    event_id        VARCHAR REFERENCES events(event_id),
    external_id     VARCHAR NOT NULL,
    ticker          VARCHAR,
    title           VARCHAR NOT NULL,
    market_type     VARCHAR CHECK (market_type IN ('binary', 'categorical', 'scalar')),
    yes_price       DECIMAL(10,4) CHECK (yes_price BETWEEN 0 AND 1),
    no_price        DECIMAL(10,4) CHECK (no_price BETWEEN 0 AND 1),
    volume          INT CHECK (volume >= 0),
    open_interest   INT CHECK (open_interest >= 0),
    spread          DECIMAL(10,4) CHECK (spread BETWEEN 0 AND 1),
    status          VARCHAR CHECK (status IN ('open', 'closed', 'settled')),
    settlement_value DECIMAL(10,4) CHECK (settlement_value BETWEEN 0 AND 1),
    metadata        JSONB,
    created_at      TIMESTAMP NOT NULL DEFAULT NOW(),  -- this row's valid-from
    updated_at      TIMESTAMP DEFAULT NOW(),
    row_current_ind BOOLEAN NOT NULL DEFAULT TRUE,
    row_end_ts      TIMESTAMP,                         -- this row's valid-to (NULL while current)
    CONSTRAINT markets_one_current_row
        EXCLUDE USING btree (market_id WITH =) WHERE (row_current_ind)
        DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX IF NOT EXISTS idx_markets_event ON markets(event_id);
CREATE INDEX IF NOT EXISTS idx_markets_platform ON markets(platform_id);
CREATE INDEX IF NOT EXISTS idx_markets_current ON markets(row_current_ind) WHERE row_current_ind = TRUE;
CREATE INDEX IF NOT EXISTS idx_markets_history ON markets(market_id, created_at);
CREATE INDEX IF NOT EXISTS idx_markets_current_updated ON markets(updated_at) WHERE row_current_ind;

-- ---------------------------------------------------------------------------------------------
-- 2. Live game data (SCD Type 2; business key event_id)
-- ---------------------------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS game_states (
    game_state_id    SERIAL PRIMARY KEY,
    event_id         VARCHAR NOT NULL REFERENCES events(event_id),
    external_game_id VARCHAR,
    sport            VARCHAR NOT NULL,
    home_team        VARCHAR,
    away_team        VARCHAR,
    home_score       INT CHECK (home_score >= 0),
    away_score       INT CHECK (away_score >= 0),
    period           VARCHAR,
    time_remaining   VARCHAR,
    possession       VARCHAR CHECK (possession IN ('home', 'away')),
    status           VARCHAR CHECK (status IN ('scheduled', 'pregame', 'live', 'halftime', 'final')),
    sport_metadata   JSONB,
    created_at       TIMESTAMP NOT NULL DEFAULT NOW(),
    updated_at       TIMESTAMP DEFAULT NOW(),
    row_current_ind  BOOLEAN NOT NULL DEFAULT TRUE,
    row_end_ts       TIMESTAMP,
    CONSTRAINT game_states_one_current_row
        EXCLUDE USING btree (event_id WITH =) WHERE (row_current_ind)
        DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX IF NOT EXISTS idx_game_states_event ON game_states(event_id);
CREATE INDEX IF NOT EXISTS idx_game_states_sport ON game_states(sport);
CREATE INDEX IF NOT EXISTS idx_game_states_current ON game_states(row_current_ind) WHERE row_current_ind = TRUE;

-- ---------------------------------------------------------------------------------------------
-- 3. Probability & edge detection
-- ---------------------------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS probability_matrices (
    probability_id   SERIAL PRIMARY KEY,
    category         VARCHAR NOT NULL,
    subcategory      VARCHAR NOT NULL,
    version          VARCHAR NOT NULL,
    state_descriptor VARCHAR NOT NULL,
    value_bucket     VARCHAR NOT NULL,
    situational_factors JSONB,
    win_probability  DECIMAL(10,4) NOT NULL CHECK (win_probability BETWEEN 0 AND 1),
    confidence_interval_lower DECIMAL(10,4) CHECK (confidence_interval_lower BETWEEN 0 AND 1),
    confidence_interval_upper DECIMAL(10,4) CHECK (confidence_interval_upper BETWEEN 0 AND 1),
    sample_size      INT CHECK (sample_size >= 0),
    source           VARCHAR,
    methodology      TEXT,
    matrix_name      VARCHAR,
    description      TEXT,
    created_at       TIMESTAMP DEFAULT NOW(),
    CHECK (confidence_interval_lower IS NULL OR confidence_interval_upper IS NULL
           OR confidence_interval_lower <= confidence_interval_upper)
);
CREATE INDEX IF NOT EXISTS idx_probability_lookup
    ON probability_matrices(category, subcategory, version, state_descriptor, value_bucket);
CREATE INDEX IF NOT EXISTS idx_probability_matrices_name ON probability_matrices(matrix_name);

-- Immutable versions: config, name and version never change (trigger below); status and
-- validation metrics do.
CREATE TABLE IF NOT EXISTS probability_models (
    model_id      SERIAL PRIMARY KEY,
    model_name    VARCHAR NOT NULL,
    model_version VARCHAR NOT NULL,
    model_type    VARCHAR NOT NULL,
    sport         VARCHAR,
    config        JSONB NOT NULL,
    description   TEXT,
    status        VARCHAR NOT NULL DEFAULT 'draft'
                  CHECK (status IN ('draft', 'training', 'validating', 'active', 'deprecated')),
    validation_accuracy    DECIMAL(10,4) CHECK (validation_accuracy BETWEEN 0 AND 1),
    validation_calibration DECIMAL(10,4) CHECK (validation_calibration BETWEEN 0 AND 1),
    validation_sample_size INT CHECK (validation_sample_size >= 0),
    created_at    TIMESTAMP DEFAULT NOW(),
    created_by    VARCHAR,
    notes         TEXT,
    UNIQUE (model_name, model_version)
);
CREATE INDEX IF NOT EXISTS idx_probability_models_name ON probability_models(model_name);
CREATE INDEX IF NOT EXISTS idx_probability_models_status ON probability_models(status);
CREATE INDEX IF NOT EXISTS idx_probability_models_active ON probability_models(status) WHERE status = 'active';
CREATE OR REPLACE TRIGGER probability_models_immutable
    BEFORE UPDATE OR DELETE ON probability_models
    FOR EACH ROW EXECUTE FUNCTION refuse_change_immutable_version('config', 'model_name', 'model_version');

CREATE TABLE IF NOT EXISTS strategies (
    strategy_id      SERIAL PRIMARY KEY,
    strategy_name    VARCHAR NOT NULL,
    strategy_version VARCHAR NOT NULL,
    strategy_type    VARCHAR NOT NULL CHECK (strategy_type IN ('entry', 'exit', 'sizing', 'hedging')),
    sport            VARCHAR,
    config           JSONB NOT NULL,
    description      TEXT,
    status           VARCHAR NOT NULL DEFAULT 'draft'
                     CHECK (status IN ('draft', 'testing', 'active', 'inactive', 'deprecated')),
    paper_roi        DECIMAL(10,4),
    live_roi         DECIMAL(10,4),
    paper_trades_count INT DEFAULT 0 CHECK (paper_trades_count >= 0),
    live_trades_count  INT DEFAULT 0 CHECK (live_trades_count >= 0),
    created_at       TIMESTAMP DEFAULT NOW(),
    created_by       VARCHAR,
    notes            TEXT,
    UNIQUE (strategy_name, strategy_version)
);
CREATE INDEX IF NOT EXISTS idx_strategies_name ON strategies(strategy_name);
CREATE INDEX IF NOT EXISTS idx_strategies_status ON strategies(status);
CREATE INDEX IF NOT EXISTS idx_strategies_active ON strategies(status) WHERE status = 'active';
CREATE OR REPLACE TRIGGER strategies_immutable
    BEFORE UPDATE OR DELETE ON strategies
    FOR EACH ROW EXECUTE FUNCTION refuse_change_immutable_version('config', 'strategy_name', 'strategy_version');

-- ---------------------------------------------------------------------------------------------
-- 6. Trading methods (v1.6; created before edges and trades, which reference them)
-- ---------------------------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS methods (
    method_id      SERIAL PRIMARY KEY,
    method_name    VARCHAR NOT NULL,
    method_version VARCHAR NOT NULL,
    strategy_id    INT NOT NULL REFERENCES strategies(strategy_id),
    model_id       INT NOT NULL REFERENCES probability_models(model_id),
    position_mgmt_config JSONB NOT NULL,
    risk_config    JSONB NOT NULL,
    execution_config JSONB NOT NULL,
    sport_config   JSONB NOT NULL,
    config_hash    VARCHAR(64) NOT NULL,
    status         VARCHAR NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'testing', 'active', 'deprecated')),
    activated_at   TIMESTAMP,
    deactivated_at TIMESTAMP,
    paper_roi      DECIMAL(10,4),
    live_roi       DECIMAL(10,4),
    sharpe_ratio   DECIMAL(10,4),
    win_rate       DECIMAL(6,4) CHECK (win_rate BETWEEN 0 AND 1),
    total_trades   INT DEFAULT 0 CHECK (total_trades >= 0),
    description    TEXT,
    notes          TEXT,
    created_at     TIMESTAMP DEFAULT NOW(),
    created_by     VARCHAR,
    UNIQUE (method_name, method_version)
);
CREATE INDEX IF NOT EXISTS idx_methods_name ON methods(method_name);
CREATE INDEX IF NOT EXISTS idx_methods_status ON methods(status);
CREATE INDEX IF NOT EXISTS idx_methods_active ON methods(status) WHERE status = 'active';
CREATE INDEX IF NOT EXISTS idx_methods_strategy ON methods(strategy_id);
CREATE INDEX IF NOT EXISTS idx_methods_model ON methods(model_id);
CREATE INDEX IF NOT EXISTS idx_methods_hash ON methods(config_hash);
-- Everything that makes a method what it is stays fixed; status and metrics move.
CREATE OR REPLACE TRIGGER methods_immutable
    BEFORE UPDATE OR DELETE ON methods
    FOR EACH ROW EXECUTE FUNCTION refuse_change_immutable_version(
        'method_name', 'method_version', 'strategy_id', 'model_id', 'position_mgmt_config',
        'risk_config', 'execution_config', 'sport_config', 'config_hash');

CREATE TABLE IF NOT EXISTS method_templates (
    template_id   SERIAL PRIMARY KEY,
    template_name VARCHAR NOT NULL UNIQUE,
    description   TEXT,
    position_mgmt_config JSONB NOT NULL,
    risk_config   JSONB NOT NULL,
    execution_config JSONB NOT NULL,
    sport_config  JSONB,
    created_at    TIMESTAMP DEFAULT NOW()
);

-- edges: each row is one edge calculation (edge_id stays its key, so a trade points at the exact
-- calculation that triggered it). Business key for "current": (market, strategy, model).
CREATE TABLE IF NOT EXISTS edges (
    edge_id        SERIAL PRIMARY KEY,
    market_id      VARCHAR NOT NULL,            -- references markets(market_id): trigger fk_market
    probability_matrix_id INT REFERENCES probability_matrices(probability_id),
    strategy_id    INT REFERENCES strategies(strategy_id),
    model_id       INT REFERENCES probability_models(model_id),
    method_id      INT REFERENCES methods(method_id),   -- v1.6 "planned" column, created now
    expected_value DECIMAL(10,4) NOT NULL,
    true_win_probability DECIMAL(10,4) NOT NULL CHECK (true_win_probability BETWEEN 0 AND 1),
    market_implied_probability DECIMAL(10,4) NOT NULL CHECK (market_implied_probability BETWEEN 0 AND 1),
    market_price   DECIMAL(10,4) NOT NULL CHECK (market_price BETWEEN 0 AND 1),
    confidence_level VARCHAR CHECK (confidence_level IN ('high', 'medium', 'low')),
    confidence_metrics JSONB,
    recommended_action VARCHAR CHECK (recommended_action IN ('auto_execute', 'alert', 'ignore')),
    created_at     TIMESTAMP NOT NULL DEFAULT NOW(),
    row_current_ind BOOLEAN NOT NULL DEFAULT TRUE,
    row_end_ts     TIMESTAMP,
    CONSTRAINT edges_one_current_row
        EXCLUDE USING btree (market_id WITH =, (coalesce(strategy_id, 0)) WITH =,
                             (coalesce(model_id, 0)) WITH =)
        WHERE (row_current_ind) DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX IF NOT EXISTS idx_edges_market ON edges(market_id);
CREATE INDEX IF NOT EXISTS idx_edges_probability ON edges(probability_matrix_id);
CREATE INDEX IF NOT EXISTS idx_edges_strategy ON edges(strategy_id);
CREATE INDEX IF NOT EXISTS idx_edges_model ON edges(model_id);
CREATE INDEX IF NOT EXISTS idx_edges_method ON edges(method_id);
CREATE INDEX IF NOT EXISTS idx_edges_ev ON edges(expected_value) WHERE row_current_ind = TRUE;
CREATE INDEX IF NOT EXISTS idx_edges_current ON edges(row_current_ind) WHERE row_current_ind = TRUE;

-- ---------------------------------------------------------------------------------------------
-- 4. Trading & positions
-- ---------------------------------------------------------------------------------------------
-- positions: SCD Type 2, like markets. The seed's `position_id SERIAL PRIMARY KEY` cannot hold a
-- position's history, so `id` is the surrogate key and position_id the business key (drawn from
-- its own sequence) that trades, exits and the seed's P&L query join on. Prices are those of the
-- contract held (the YES or the NO contract, per `side`). quantity is the quantity still held
-- in this row; a closed position's last row holds 0.
CREATE SEQUENCE IF NOT EXISTS positions_position_id_seq;
CREATE TABLE IF NOT EXISTS positions (
    id             SERIAL PRIMARY KEY,
    position_id    INT NOT NULL DEFAULT nextval('positions_position_id_seq'),
    market_id      VARCHAR NOT NULL,            -- references markets(market_id): trigger fk_market
    platform_id    VARCHAR REFERENCES platforms(platform_id),
    side           VARCHAR NOT NULL CHECK (side IN ('yes', 'no')),
    entry_price    DECIMAL(10,4) NOT NULL CHECK (entry_price BETWEEN 0 AND 1),
    quantity       INT NOT NULL CHECK (quantity >= 0),
    fees           DECIMAL(10,4) CHECK (fees >= 0),
    status         VARCHAR NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed', 'settled')),
    unrealized_pnl DECIMAL(10,4),
    realized_pnl   DECIMAL(10,4),
    current_price  DECIMAL(10,4) CHECK (current_price BETWEEN 0 AND 1),
    unrealized_pnl_pct DECIMAL(6,4),
    last_update    TIMESTAMP,
    trailing_stop_state JSONB,
    exit_reason    VARCHAR(50),
    exit_priority  VARCHAR(20) CHECK (exit_priority IN ('CRITICAL', 'HIGH', 'MEDIUM', 'LOW')),
    external_position_id VARCHAR,               -- v1.7 external-ID traceability (migration 008)
    -- Paper and live results must be told apart (A/B page); the seed does not record it.
    execution_mode VARCHAR NOT NULL DEFAULT 'live' CHECK (execution_mode IN ('paper', 'live')),
    created_at     TIMESTAMP NOT NULL DEFAULT NOW(),
    updated_at     TIMESTAMP DEFAULT NOW(),
    row_current_ind BOOLEAN NOT NULL DEFAULT TRUE,
    row_end_ts     TIMESTAMP,
    CONSTRAINT positions_one_current_row
        EXCLUDE USING btree (position_id WITH =) WHERE (row_current_ind)
        DEFERRABLE INITIALLY DEFERRED
);
ALTER SEQUENCE positions_position_id_seq OWNED BY positions.position_id;
CREATE INDEX IF NOT EXISTS idx_positions_market ON positions(market_id);
CREATE INDEX IF NOT EXISTS idx_positions_platform ON positions(platform_id);
CREATE INDEX IF NOT EXISTS idx_positions_status ON positions(status);
CREATE INDEX IF NOT EXISTS idx_positions_current ON positions(row_current_ind) WHERE row_current_ind = TRUE;
CREATE INDEX IF NOT EXISTS idx_positions_last_update ON positions(last_update);
CREATE INDEX IF NOT EXISTS idx_positions_history ON positions(position_id, created_at);

CREATE TABLE IF NOT EXISTS trades (
    trade_id       SERIAL PRIMARY KEY,
    market_id      VARCHAR NOT NULL,            -- references markets(market_id): trigger fk_market
    platform_id    VARCHAR REFERENCES platforms(platform_id),
    position_id    INT,                         -- references positions(position_id): trigger fk_position
    edge_id        INT REFERENCES edges(edge_id),
    strategy_id    INT REFERENCES strategies(strategy_id),
    model_id       INT REFERENCES probability_models(model_id),
    method_id      INT REFERENCES methods(method_id),   -- v1.6 "planned" column, created now
    order_id       VARCHAR,
    side           VARCHAR NOT NULL CHECK (side IN ('buy', 'sell')),
    price          DECIMAL(10,4) NOT NULL CHECK (price BETWEEN 0 AND 1),
    quantity       INT NOT NULL CHECK (quantity > 0),
    fees           DECIMAL(10,4) CHECK (fees >= 0),
    edge_at_execution DECIMAL(10,4),
    confidence_at_execution VARCHAR,
    created_at     TIMESTAMP NOT NULL DEFAULT NOW(),
    -- v1.7 (migrations 005, 006): metadata and order execution
    trade_metadata JSONB,
    order_type     VARCHAR CHECK (order_type IN ('market', 'limit')),
    limit_price    DECIMAL(10,4) CHECK (limit_price BETWEEN 0 AND 1),
    time_in_force  VARCHAR CHECK (time_in_force IN ('gtc', 'ioc', 'fok', 'day')),
    filled_at      TIMESTAMP,
    external_trade_id VARCHAR,                  -- v1.7 external-ID traceability (migration 008)
    execution_mode VARCHAR NOT NULL DEFAULT 'live' CHECK (execution_mode IN ('paper', 'live'))
);
CREATE INDEX IF NOT EXISTS idx_trades_market ON trades(market_id);
CREATE INDEX IF NOT EXISTS idx_trades_platform ON trades(platform_id);
CREATE INDEX IF NOT EXISTS idx_trades_position ON trades(position_id);
CREATE INDEX IF NOT EXISTS idx_trades_edge ON trades(edge_id);
CREATE INDEX IF NOT EXISTS idx_trades_strategy ON trades(strategy_id);
CREATE INDEX IF NOT EXISTS idx_trades_model ON trades(model_id);
CREATE INDEX IF NOT EXISTS idx_trades_method ON trades(method_id);
CREATE INDEX IF NOT EXISTS idx_trades_created ON trades(created_at);
CREATE INDEX IF NOT EXISTS idx_trades_created_id ON trades(created_at DESC, trade_id DESC);

CREATE TABLE IF NOT EXISTS position_exits (
    exit_id        SERIAL PRIMARY KEY,
    position_id    INT NOT NULL,                -- references positions(position_id): trigger fk_position
    exit_condition VARCHAR(50) NOT NULL CHECK (exit_condition IN (
        'stop_loss', 'trailing_stop', 'profit_target', 'partial_exit_target', 'circuit_breaker',
        'time_exit', 'edge_disappeared', 'liquidity_dried_up', 'scheduled_exit', 'manual_override')),
    exit_priority  VARCHAR(20) NOT NULL CHECK (exit_priority IN ('CRITICAL', 'HIGH', 'MEDIUM', 'LOW')),
    quantity_exited INT NOT NULL CHECK (quantity_exited > 0),
    exit_price     DECIMAL(10,4) NOT NULL CHECK (exit_price BETWEEN 0 AND 1),
    unrealized_pnl_at_exit DECIMAL(10,4),
    created_at     TIMESTAMP NOT NULL DEFAULT NOW()
);
CREATE INDEX IF NOT EXISTS idx_position_exits_position ON position_exits(position_id);
CREATE INDEX IF NOT EXISTS idx_position_exits_condition ON position_exits(exit_condition);
CREATE INDEX IF NOT EXISTS idx_position_exits_priority ON position_exits(exit_priority);
CREATE INDEX IF NOT EXISTS idx_position_exits_created ON position_exits(created_at);

CREATE TABLE IF NOT EXISTS exit_attempts (
    attempt_id     SERIAL PRIMARY KEY,
    position_id    INT NOT NULL,                -- references positions(position_id): trigger fk_position
    exit_condition VARCHAR(50) NOT NULL,
    priority_level VARCHAR(20) NOT NULL CHECK (priority_level IN ('CRITICAL', 'HIGH', 'MEDIUM', 'LOW')),
    order_type     VARCHAR(20) NOT NULL CHECK (order_type IN ('market', 'limit')),
    limit_price    DECIMAL(10,4) CHECK (limit_price BETWEEN 0 AND 1),
    fill_price     DECIMAL(10,4) CHECK (fill_price BETWEEN 0 AND 1),
    quantity       INT NOT NULL CHECK (quantity > 0),
    attempt_number INT NOT NULL CHECK (attempt_number >= 1),
    timeout_seconds INT CHECK (timeout_seconds >= 0),
    success        BOOLEAN,
    created_at     TIMESTAMP NOT NULL DEFAULT NOW(),
    external_order_id VARCHAR,                  -- v1.7 external-ID traceability (migration 008)
    CHECK (order_type = 'market' OR limit_price IS NOT NULL),
    CHECK (success IS NOT TRUE OR fill_price IS NOT NULL)
);
CREATE INDEX IF NOT EXISTS idx_exit_attempts_position ON exit_attempts(position_id);
CREATE INDEX IF NOT EXISTS idx_exit_attempts_condition ON exit_attempts(exit_condition);
CREATE INDEX IF NOT EXISTS idx_exit_attempts_success ON exit_attempts(success);
CREATE INDEX IF NOT EXISTS idx_exit_attempts_created ON exit_attempts(created_at);

-- settlements: our account's settlement of one market on one platform (payout is what we were
-- paid, 0 when we held nothing or the losing side).
CREATE TABLE IF NOT EXISTS settlements (
    settlement_id  SERIAL PRIMARY KEY,
    market_id      VARCHAR NOT NULL,            -- references markets(market_id): trigger fk_market
    platform_id    VARCHAR REFERENCES platforms(platform_id),
    outcome        VARCHAR NOT NULL,
    payout         DECIMAL(10,4) CHECK (payout >= 0),
    created_at     TIMESTAMP NOT NULL DEFAULT NOW(),
    external_settlement_id VARCHAR              -- v1.7 external-ID traceability (migration 008)
);
CREATE INDEX IF NOT EXISTS idx_settlements_market ON settlements(market_id);
CREATE INDEX IF NOT EXISTS idx_settlements_platform ON settlements(platform_id);

CREATE TABLE IF NOT EXISTS account_balance (
    balance_id     SERIAL PRIMARY KEY,
    platform_id    VARCHAR NOT NULL REFERENCES platforms(platform_id),
    balance        DECIMAL(10,4) NOT NULL CHECK (balance >= 0),
    currency       VARCHAR NOT NULL DEFAULT 'USD',
    created_at     TIMESTAMP NOT NULL DEFAULT NOW(),
    row_current_ind BOOLEAN NOT NULL DEFAULT TRUE,
    row_end_ts     TIMESTAMP,
    external_account_id VARCHAR,                -- v1.7 external-ID traceability (migration 008)
    CONSTRAINT account_balance_one_current_row
        EXCLUDE USING btree (platform_id WITH =, currency WITH =) WHERE (row_current_ind)
        DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX IF NOT EXISTS idx_balance_platform ON account_balance(platform_id);
CREATE INDEX IF NOT EXISTS idx_balance_current ON account_balance(row_current_ind) WHERE row_current_ind = TRUE;

-- ---------------------------------------------------------------------------------------------
-- 5. Configuration & state
-- ---------------------------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS config_overrides (
    override_id    SERIAL PRIMARY KEY,
    config_key     VARCHAR NOT NULL,
    override_value JSONB NOT NULL,
    data_type      VARCHAR CHECK (data_type IN ('float', 'int', 'bool', 'string')),
    reason         TEXT,
    applied_by     VARCHAR,
    applied_at     TIMESTAMP DEFAULT NOW(),
    expires_at     TIMESTAMP,
    active         BOOLEAN DEFAULT TRUE
);
CREATE INDEX IF NOT EXISTS idx_config_overrides_key ON config_overrides(config_key);
CREATE INDEX IF NOT EXISTS idx_config_overrides_active ON config_overrides(active) WHERE active = TRUE;

CREATE TABLE IF NOT EXISTS circuit_breaker_events (
    event_id       SERIAL PRIMARY KEY,
    breaker_type   VARCHAR NOT NULL,
    triggered_at   TIMESTAMP DEFAULT NOW(),
    resolved_at    TIMESTAMP,
    trigger_value  JSONB,
    resolution_action VARCHAR,
    notes          TEXT,
    CHECK (resolved_at IS NULL OR resolved_at >= triggered_at)
);
CREATE INDEX IF NOT EXISTS idx_circuit_breaker_triggered ON circuit_breaker_events(triggered_at);

CREATE TABLE IF NOT EXISTS system_health (
    health_id      SERIAL PRIMARY KEY,
    component      VARCHAR NOT NULL,
    status         VARCHAR NOT NULL CHECK (status IN ('healthy', 'degraded', 'down')),
    last_check     TIMESTAMP DEFAULT NOW(),
    details        JSONB,
    alert_sent     BOOLEAN DEFAULT FALSE
);
CREATE INDEX IF NOT EXISTS idx_health_component ON system_health(component);
CREATE INDEX IF NOT EXISTS idx_health_status ON system_health(status);

-- alerts (v1.6). "Alerts require acknowledgement before resolution" is a CHECK, so no client
-- can resolve an unacknowledged alert.
CREATE TABLE IF NOT EXISTS alerts (
    alert_id       SERIAL PRIMARY KEY,
    alert_uuid     UUID DEFAULT gen_random_uuid() UNIQUE,
    alert_type     VARCHAR NOT NULL,
    severity       VARCHAR NOT NULL,
    category       VARCHAR,
    component      VARCHAR NOT NULL,
    message        TEXT NOT NULL,
    details        JSONB,
    source_table   VARCHAR,
    source_id      INT,
    triggered_at   TIMESTAMP DEFAULT NOW() NOT NULL,
    acknowledged_at TIMESTAMP,
    resolved_at    TIMESTAMP,
    acknowledged_by VARCHAR,
    acknowledged_notes TEXT,
    resolved_by    VARCHAR,
    resolved_notes TEXT,
    resolution_action VARCHAR,
    notification_sent BOOLEAN DEFAULT FALSE,
    notification_channels JSONB,
    notification_sent_at TIMESTAMP,
    notification_attempts INT DEFAULT 0 CHECK (notification_attempts >= 0),
    notification_errors JSONB,
    fingerprint    VARCHAR(64),
    suppressed     BOOLEAN DEFAULT FALSE,
    environment    VARCHAR,
    tags           JSONB,
    -- (dashboard) snoozed by a responder until then (snooze_alert below); NULL: not snoozed
    snoozed_until  TIMESTAMP,
    snoozed_by     VARCHAR,
    snooze_reason  TEXT,
    CHECK (severity IN ('critical', 'high', 'medium', 'low')),
    CHECK (resolution_action IS NULL OR resolution_action IN ('fixed', 'false_positive', 'ignored', 'escalated')),
    CONSTRAINT alerts_acknowledged_before_resolved
        CHECK (resolved_at IS NULL OR (acknowledged_at IS NOT NULL AND resolved_at >= acknowledged_at)),
    CONSTRAINT alerts_acknowledgement_has_actor
        CHECK (acknowledged_at IS NULL OR acknowledged_by IS NOT NULL),
    CONSTRAINT alerts_resolution_complete
        CHECK (resolved_at IS NULL OR (resolved_by IS NOT NULL AND resolution_action IS NOT NULL))
);
-- A database made before snoozing existed gets the columns here (NULL defaults: no rewrite).
ALTER TABLE alerts
    ADD COLUMN IF NOT EXISTS snoozed_until TIMESTAMP,
    ADD COLUMN IF NOT EXISTS snoozed_by VARCHAR,
    ADD COLUMN IF NOT EXISTS snooze_reason TEXT;
CREATE INDEX IF NOT EXISTS idx_alerts_type ON alerts(alert_type);
CREATE INDEX IF NOT EXISTS idx_alerts_severity ON alerts(severity);
CREATE INDEX IF NOT EXISTS idx_alerts_component ON alerts(component);
CREATE INDEX IF NOT EXISTS idx_alerts_triggered ON alerts(triggered_at DESC);
CREATE INDEX IF NOT EXISTS idx_alerts_unresolved ON alerts(resolved_at) WHERE resolved_at IS NULL;
CREATE INDEX IF NOT EXISTS idx_alerts_fingerprint ON alerts(fingerprint) WHERE fingerprint IS NOT NULL;
CREATE INDEX IF NOT EXISTS idx_alerts_environment ON alerts(environment);
-- (dashboard) the queue's category filter offers the distinct categories, walked by index
CREATE INDEX IF NOT EXISTS idx_alerts_category ON alerts(category);
-- (dashboard) the Alerts page's daily open-alerts chart reads the window's alerts from this narrow
-- index alone (index-only scans, 1.9 MB at ten years) rather than the 10 MB of wide rows
-- (messages, JSON details); the response metrics' weekly sums (alert_weeks_stored, below) are
-- refreshed from it too.
CREATE INDEX IF NOT EXISTS idx_alerts_metrics ON alerts(triggered_at)
    INCLUDE (severity, component, alert_type, acknowledged_at, resolved_at, resolution_action) WHERE NOT suppressed;

-- ---------------------------------------------------------------------------------------------
-- 7. Machine learning infrastructure (v1.6 placeholders, created now)
-- ---------------------------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS feature_definitions (
    feature_id      SERIAL PRIMARY KEY,
    feature_name    VARCHAR NOT NULL,
    feature_version VARCHAR NOT NULL,
    category        VARCHAR NOT NULL,
    sport           VARCHAR,
    calculation_method TEXT,
    data_type       VARCHAR NOT NULL CHECK (data_type IN ('float', 'int', 'boolean', 'categorical')),
    unit            VARCHAR,
    description     TEXT,
    status          VARCHAR DEFAULT 'active' CHECK (status IN ('active', 'deprecated')),
    created_at      TIMESTAMP DEFAULT NOW(),
    created_by      VARCHAR,
    UNIQUE (feature_name, feature_version)
);
CREATE INDEX IF NOT EXISTS idx_feature_definitions_name ON feature_definitions(feature_name);
CREATE INDEX IF NOT EXISTS idx_feature_definitions_sport ON feature_definitions(sport);
CREATE INDEX IF NOT EXISTS idx_feature_definitions_category ON feature_definitions(category);
CREATE INDEX IF NOT EXISTS idx_feature_definitions_active ON feature_definitions(status) WHERE status = 'active';

CREATE TABLE IF NOT EXISTS features_historical (
    feature_record_id SERIAL PRIMARY KEY,
    feature_id     INT NOT NULL REFERENCES feature_definitions(feature_id),
    entity_type    VARCHAR NOT NULL CHECK (entity_type IN ('team', 'player', 'market', 'game')),
    entity_id      VARCHAR NOT NULL,
    timestamp      TIMESTAMP NOT NULL,
    feature_value  DECIMAL(12,6),
    metadata       JSONB,
    created_at     TIMESTAMP DEFAULT NOW()
);
CREATE INDEX IF NOT EXISTS idx_features_historical_lookup ON features_historical(feature_id, entity_id, timestamp);
CREATE INDEX IF NOT EXISTS idx_features_historical_entity ON features_historical(entity_type, entity_id);
CREATE INDEX IF NOT EXISTS idx_features_historical_timestamp ON features_historical(timestamp);
CREATE INDEX IF NOT EXISTS idx_features_historical_feature ON features_historical(feature_id);

CREATE TABLE IF NOT EXISTS training_datasets (
    dataset_id     SERIAL PRIMARY KEY,
    dataset_name   VARCHAR NOT NULL,
    sport          VARCHAR NOT NULL,
    model_type     VARCHAR,
    label_type     VARCHAR NOT NULL,
    start_date     TIMESTAMP NOT NULL,
    end_date       TIMESTAMP NOT NULL,
    feature_snapshot_date TIMESTAMP,
    sample_count   INT CHECK (sample_count >= 0),
    feature_ids    JSONB,
    feature_count  INT CHECK (feature_count >= 0),
    train_test_split JSONB,
    storage_path   VARCHAR,
    checksum       VARCHAR,
    file_size_mb   DECIMAL(10,2) CHECK (file_size_mb >= 0),
    description    TEXT,
    created_at     TIMESTAMP DEFAULT NOW(),
    created_by     VARCHAR,
    CHECK (start_date <= end_date)
);
CREATE INDEX IF NOT EXISTS idx_training_datasets_sport ON training_datasets(sport);
CREATE INDEX IF NOT EXISTS idx_training_datasets_dates ON training_datasets(start_date, end_date);
CREATE INDEX IF NOT EXISTS idx_training_datasets_model_type ON training_datasets(model_type);

CREATE TABLE IF NOT EXISTS model_training_runs (
    run_id         SERIAL PRIMARY KEY,
    model_id       INT REFERENCES probability_models(model_id),
    dataset_id     INT REFERENCES training_datasets(dataset_id),
    training_started_at   TIMESTAMP,
    training_completed_at TIMESTAMP,
    training_duration_seconds INT CHECK (training_duration_seconds >= 0),
    hyperparameters JSONB NOT NULL,
    metrics        JSONB,
    train_metrics  JSONB,
    val_metrics    JSONB,
    test_metrics   JSONB,
    feature_importance JSONB,
    hardware_specs JSONB,
    framework_version VARCHAR,
    status         VARCHAR DEFAULT 'running' CHECK (status IN ('running', 'completed', 'failed', 'cancelled')),
    error_message  TEXT,
    notes          TEXT,
    created_at     TIMESTAMP DEFAULT NOW(),
    created_by     VARCHAR
);
CREATE INDEX IF NOT EXISTS idx_model_training_runs_model ON model_training_runs(model_id);
CREATE INDEX IF NOT EXISTS idx_model_training_runs_dataset ON model_training_runs(dataset_id);
CREATE INDEX IF NOT EXISTS idx_model_training_runs_status ON model_training_runs(status);
CREATE INDEX IF NOT EXISTS idx_model_training_runs_started ON model_training_runs(training_started_at DESC);

-- ---------------------------------------------------------------------------------------------
-- 8. Elo (v1.7, migration 010). The seed names these tables without their columns; this is the
-- smallest shape that serves an Elo model: teams with a current rating, and the append-only
-- history of every rating change.
-- ---------------------------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS teams (
    team_id        SERIAL PRIMARY KEY,
    team_code      VARCHAR(8) NOT NULL,
    team_name      VARCHAR NOT NULL,
    sport          VARCHAR NOT NULL,
    conference     VARCHAR,
    division       VARCHAR,
    current_elo_rating DECIMAL(10,2) NOT NULL DEFAULT 1500 CHECK (current_elo_rating > 0),
    external_id    VARCHAR,
    created_at     TIMESTAMP DEFAULT NOW(),
    updated_at     TIMESTAMP DEFAULT NOW(),
    UNIQUE (sport, team_code)
);

CREATE TABLE IF NOT EXISTS elo_rating_history (
    history_id     SERIAL PRIMARY KEY,
    team_id        INT NOT NULL REFERENCES teams(team_id),
    event_id       VARCHAR REFERENCES events(event_id),
    rating_before  DECIMAL(10,2) NOT NULL CHECK (rating_before > 0),
    rating_after   DECIMAL(10,2) NOT NULL CHECK (rating_after > 0),
    k_factor       DECIMAL(6,2) CHECK (k_factor > 0),
    expected_score DECIMAL(10,4) CHECK (expected_score BETWEEN 0 AND 1),
    actual_score   DECIMAL(10,4) CHECK (actual_score BETWEEN 0 AND 1),
    model_id       INT REFERENCES probability_models(model_id),
    created_at     TIMESTAMP NOT NULL DEFAULT NOW()
);
CREATE INDEX IF NOT EXISTS idx_elo_rating_history_team ON elo_rating_history(team_id, created_at);

-- ---------------------------------------------------------------------------------------------
-- Rules on the tables above
-- ---------------------------------------------------------------------------------------------
-- Append-only: UPDATE, DELETE and TRUNCATE are refused.
CREATE OR REPLACE TRIGGER trades_append_only BEFORE UPDATE OR DELETE ON trades
    FOR EACH ROW EXECUTE FUNCTION refuse_change_append_only();
CREATE OR REPLACE TRIGGER trades_no_truncate BEFORE TRUNCATE ON trades
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change_append_only();
CREATE OR REPLACE TRIGGER settlements_append_only BEFORE UPDATE OR DELETE ON settlements
    FOR EACH ROW EXECUTE FUNCTION refuse_change_append_only();
CREATE OR REPLACE TRIGGER settlements_no_truncate BEFORE TRUNCATE ON settlements
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change_append_only();
CREATE OR REPLACE TRIGGER position_exits_append_only BEFORE UPDATE OR DELETE ON position_exits
    FOR EACH ROW EXECUTE FUNCTION refuse_change_append_only();
CREATE OR REPLACE TRIGGER position_exits_no_truncate BEFORE TRUNCATE ON position_exits
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change_append_only();
CREATE OR REPLACE TRIGGER exit_attempts_append_only BEFORE UPDATE OR DELETE ON exit_attempts
    FOR EACH ROW EXECUTE FUNCTION refuse_change_append_only();
CREATE OR REPLACE TRIGGER exit_attempts_no_truncate BEFORE TRUNCATE ON exit_attempts
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change_append_only();
CREATE OR REPLACE TRIGGER elo_rating_history_append_only BEFORE UPDATE OR DELETE ON elo_rating_history
    FOR EACH ROW EXECUTE FUNCTION refuse_change_append_only();

-- SCD Type 2: business key fixed, history immutable, exactly one current row per key.
CREATE OR REPLACE TRIGGER markets_scd_guard BEFORE UPDATE ON markets
    FOR EACH ROW EXECUTE FUNCTION scd_guard_update('market_id');
CREATE OR REPLACE TRIGGER game_states_scd_guard BEFORE UPDATE ON game_states
    FOR EACH ROW EXECUTE FUNCTION scd_guard_update('event_id');
CREATE OR REPLACE TRIGGER edges_scd_guard BEFORE UPDATE ON edges
    FOR EACH ROW EXECUTE FUNCTION scd_guard_update('market_id', 'strategy_id', 'model_id');
CREATE OR REPLACE TRIGGER positions_scd_guard BEFORE UPDATE ON positions
    FOR EACH ROW EXECUTE FUNCTION scd_guard_update('position_id');
CREATE OR REPLACE TRIGGER account_balance_scd_guard BEFORE UPDATE ON account_balance
    FOR EACH ROW EXECUTE FUNCTION scd_guard_update('platform_id', 'currency');

DO $$
DECLARE
    t text;
BEGIN
    -- Constraint triggers have no CREATE OR REPLACE: create each once.
    FOREACH t IN ARRAY ARRAY['markets', 'game_states', 'edges', 'positions', 'account_balance'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_trigger
                        WHERE tgname = t || '_scd_current_row' AND tgrelid = t::regclass) THEN
            EXECUTE format('CREATE CONSTRAINT TRIGGER %I AFTER UPDATE OF row_current_ind OR DELETE ON %I '
                           'DEFERRABLE INITIALLY DEFERRED FOR EACH ROW '
                           'EXECUTE FUNCTION scd_require_current_row()', t || '_scd_current_row', t);
        END IF;
    END LOOP;
END $$;

-- Foreign keys to business keys of SCD tables.
CREATE OR REPLACE TRIGGER edges_fk_market BEFORE INSERT OR UPDATE OF market_id ON edges
    FOR EACH ROW EXECUTE FUNCTION fk_market_exists();
CREATE OR REPLACE TRIGGER positions_fk_market BEFORE INSERT OR UPDATE OF market_id ON positions
    FOR EACH ROW EXECUTE FUNCTION fk_market_exists();
CREATE OR REPLACE TRIGGER trades_fk_market BEFORE INSERT ON trades
    FOR EACH ROW EXECUTE FUNCTION fk_market_exists();
CREATE OR REPLACE TRIGGER settlements_fk_market BEFORE INSERT ON settlements
    FOR EACH ROW EXECUTE FUNCTION fk_market_exists();
CREATE OR REPLACE TRIGGER trades_fk_position BEFORE INSERT ON trades
    FOR EACH ROW EXECUTE FUNCTION fk_position_exists();
CREATE OR REPLACE TRIGGER position_exits_fk_position BEFORE INSERT ON position_exits
    FOR EACH ROW EXECUTE FUNCTION fk_position_exists();
CREATE OR REPLACE TRIGGER exit_attempts_fk_position BEFORE INSERT ON exit_attempts
    FOR EACH ROW EXECUTE FUNCTION fk_position_exists();
CREATE OR REPLACE TRIGGER markets_fk_referenced BEFORE DELETE ON markets
    FOR EACH ROW EXECUTE FUNCTION fk_refuse_orphaning_delete();
CREATE OR REPLACE TRIGGER positions_fk_referenced BEFORE DELETE ON positions
    FOR EACH ROW EXECUTE FUNCTION fk_refuse_orphaning_delete();

-- ---------------------------------------------------------------------------------------------
-- Helper views (no ORDER BY: callers order)
-- ---------------------------------------------------------------------------------------------
CREATE OR REPLACE VIEW active_strategies AS
SELECT * FROM strategies WHERE status = 'active';

CREATE OR REPLACE VIEW active_models AS
SELECT * FROM probability_models WHERE status = 'active';

-- The seed's columns first, in the seed's order; the ids the dashboard follows after them.
CREATE OR REPLACE VIEW trade_attribution AS
SELECT
    t.trade_id,
    t.created_at,
    t.side,
    t.price,
    t.quantity,
    m.ticker AS market_ticker,
    s.strategy_name,
    s.strategy_version,
    s.config AS strategy_config,
    pm.model_name,
    pm.model_version,
    pm.config AS model_config,
    t.edge_at_execution,
    t.confidence_at_execution,
    t.market_id,
    t.platform_id,
    t.position_id,
    t.edge_id,
    t.strategy_id,
    t.model_id,
    t.fees,
    t.execution_mode
FROM trades t
JOIN markets m ON t.market_id = m.market_id AND m.row_current_ind
LEFT JOIN strategies s ON t.strategy_id = s.strategy_id
LEFT JOIN probability_models pm ON t.model_id = pm.model_id;

CREATE OR REPLACE VIEW current_markets AS
SELECT * FROM markets WHERE row_current_ind = TRUE;

CREATE OR REPLACE VIEW current_game_states AS
SELECT * FROM game_states WHERE row_current_ind = TRUE;

CREATE OR REPLACE VIEW current_edges AS
SELECT * FROM edges WHERE row_current_ind = TRUE;

CREATE OR REPLACE VIEW open_positions AS
SELECT * FROM positions WHERE row_current_ind = TRUE AND status = 'open';

CREATE OR REPLACE VIEW current_balances AS
SELECT * FROM account_balance WHERE row_current_ind = TRUE;

-- ---------------------------------------------------------------------------------------------
-- Version lifecycle: status history and transitions of model and strategy versions
-- (models page, Strategy A/B, the attribution audit, the demo loader; issue #22 made the model
-- lifecycle serve strategy versions too)
-- ---------------------------------------------------------------------------------------------
-- Two kinds of version, one machinery. The seed's lifecycles:
--   model     draft -> training -> validating -> active -> deprecated
--   strategy  draft -> testing -> active -> inactive -> deprecated  (inactive -> active resumes)
-- A version trades on paper while it is validating (model) or testing (strategy) and live only
-- while it is active; version_trading_mode() says so for the audit and the as-of answers.
-- A trigger checks every status change, so even a plain UPDATE cannot make an illegal one (the
-- seed's own examples -- inserting a version as 'active', UPDATE ... SET status = 'deprecated' of
-- an active one -- are legal), and a second trigger appends every change to the kind's history
-- table (model_status_history, strategy_status_history): who, when, from, to, why.
--
-- Admins act through transition_version_status() and rollback_version() -- for models through
-- their wrappers transition_model_status() and rollback_model(), the only ones the dashboard's
-- writer may call: one call checks, applies and records, in the caller's transaction, and touches
-- only versions of that name (all of them locked first, so two admins on one name take turns). A
-- request id makes a repeated call (double click, rerun) return what the first one did instead of
-- acting twice. Making a version active 'replace's the other active versions of its name (they
-- retire: models to deprecated, strategies to inactive) or joins them 'alongside' (an A/B run).
--
-- Loaders that replay a history (demo/generate.sql) pass p_at, the moment the change happened:
-- it must not be before the version was created, or before the latest recorded change of that
-- name (so the history stays in time order). It may be later than the server's clock: a loader's
-- data has its own "now" (the demo's as-of). The functions hand it to the history
-- trigger through the transaction-local setting precog.status_at, which the trigger reads only
-- inside a call (precog.status_action set) and every call sets afresh. p_at is not offered to the
-- dashboard: the writer's wrappers always record now.
--
-- One call is the rows of one transaction with one changed_at (a page's call is one transaction;
-- a loader's calls share its transaction but not their moments): roll back finds "the call that
-- made a version active" that way.
--
-- The initial state is not a history row: a version starts in the status it was inserted with,
-- at created_at (bulk loads skip row triggers, so no trigger could be relied on to write one).
-- The view version_status_timeline adds that starting entry -- the from_status of the version's
-- first recorded change, else its current status -- and "which status had each version at T"
-- reads the timeline, so it is answered the same way for versions with and without recorded changes.
CREATE TABLE IF NOT EXISTS model_status_history (
    history_id  BIGSERIAL PRIMARY KEY,
    model_id    INT NOT NULL REFERENCES probability_models(model_id),
    from_status VARCHAR NOT NULL,
    to_status   VARCHAR NOT NULL,
    -- transition: a step of the lifecycle; promote_replace / promote_alongside: made active,
    -- replacing the other active versions or beside them (A/B); replaced: retired by a
    -- replacing promotion; rollback: changed by a roll back; update: a plain UPDATE.
    action      VARCHAR NOT NULL CHECK (action IN ('transition', 'promote_replace', 'promote_alongside',
                                                   'replaced', 'rollback', 'update')),
    changed_at  TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
    changed_by  VARCHAR NOT NULL CHECK (btrim(changed_by) <> '' AND char_length(changed_by) <= 200),
    reason      TEXT CHECK (char_length(reason) <= 500),
    request_id  VARCHAR(100),
    xact_id     xid8 NOT NULL DEFAULT pg_current_xact_id(),  -- rows of one call share it
    CHECK (from_status <> to_status)
);
CREATE INDEX IF NOT EXISTS idx_model_status_history_model ON model_status_history(model_id, changed_at);
CREATE UNIQUE INDEX IF NOT EXISTS idx_model_status_history_request
    ON model_status_history(request_id, model_id) WHERE request_id IS NOT NULL;
CREATE OR REPLACE TRIGGER model_status_history_append_only BEFORE UPDATE OR DELETE ON model_status_history
    FOR EACH ROW EXECUTE FUNCTION refuse_change_append_only();
CREATE OR REPLACE TRIGGER model_status_history_no_truncate BEFORE TRUNCATE ON model_status_history
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change_append_only();

-- The same record for strategy versions (issue #22): a table of its own rather than one for both
-- kinds, so each history keeps a foreign key to its versions and model_status_history stays as
-- databases already hold it; everything that reads them goes through the views below.
CREATE TABLE IF NOT EXISTS strategy_status_history (
    history_id  BIGSERIAL PRIMARY KEY,
    strategy_id INT NOT NULL REFERENCES strategies(strategy_id),
    from_status VARCHAR NOT NULL,
    to_status   VARCHAR NOT NULL,
    action      VARCHAR NOT NULL CHECK (action IN ('transition', 'promote_replace', 'promote_alongside',
                                                   'replaced', 'rollback', 'update')),
    changed_at  TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
    changed_by  VARCHAR NOT NULL CHECK (btrim(changed_by) <> '' AND char_length(changed_by) <= 200),
    reason      TEXT CHECK (char_length(reason) <= 500),
    request_id  VARCHAR(100),
    xact_id     xid8 NOT NULL DEFAULT pg_current_xact_id(),
    CHECK (from_status <> to_status)
);
CREATE INDEX IF NOT EXISTS idx_strategy_status_history_strategy ON strategy_status_history(strategy_id, changed_at);
CREATE UNIQUE INDEX IF NOT EXISTS idx_strategy_status_history_request
    ON strategy_status_history(request_id, strategy_id) WHERE request_id IS NOT NULL;
CREATE OR REPLACE TRIGGER strategy_status_history_append_only BEFORE UPDATE OR DELETE ON strategy_status_history
    FOR EACH ROW EXECUTE FUNCTION refuse_change_append_only();
CREATE OR REPLACE TRIGGER strategy_status_history_no_truncate BEFORE TRUNCATE ON strategy_status_history
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change_append_only();

-- Calibration reads, per settled market and version, the version's last edge before the market
-- settled: one index probe each. The partial index finds each market's first settled row.
CREATE INDEX IF NOT EXISTS idx_edges_model_market_created ON edges(model_id, market_id, created_at, edge_id);
CREATE INDEX IF NOT EXISTS idx_markets_settled ON markets(market_id, created_at) WHERE status = 'settled';

-- The lifecycle of each kind, written once.
CREATE OR REPLACE FUNCTION version_statuses(p_kind text) RETURNS text[]
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, public, pg_temp AS $$
SELECT CASE p_kind WHEN 'model' THEN ARRAY['draft', 'training', 'validating', 'active', 'deprecated']
                   WHEN 'strategy' THEN ARRAY['draft', 'testing', 'active', 'inactive', 'deprecated'] END
$$;

-- Where a replaced or rolled-back version goes.
CREATE OR REPLACE FUNCTION version_retired_status(p_kind text) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, public, pg_temp AS $$
SELECT CASE p_kind WHEN 'model' THEN 'deprecated' WHEN 'strategy' THEN 'inactive' END
$$;

-- How a version in this status may trade: 'live', 'paper' (a model validating, a strategy
-- testing), or NULL (not at all).
CREATE OR REPLACE FUNCTION version_trading_mode(p_kind text, p_status text) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, public, pg_temp AS $$
SELECT CASE WHEN p_status = 'active' THEN 'live'
            WHEN (p_kind, p_status) IN (('model', 'validating'), ('strategy', 'testing')) THEN 'paper' END
$$;

CREATE OR REPLACE FUNCTION version_lifecycle_allows(p_kind text, p_from text, p_to text, p_rollback boolean)
RETURNS boolean LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, public, pg_temp AS $$
SELECT coalesce(CASE p_kind
    WHEN 'model' THEN (p_from, p_to) IN (('draft', 'training'), ('training', 'validating'), ('validating', 'active'),
                                         ('active', 'deprecated'))
                      OR (coalesce(p_rollback, false) AND p_from = 'deprecated' AND p_to = 'active')
    WHEN 'strategy' THEN (p_from, p_to) IN (('draft', 'testing'), ('testing', 'active'), ('active', 'inactive'),
                                            ('inactive', 'active'), ('inactive', 'deprecated'))
    END, false)
$$;

-- (kept for callers of the model-only name)
CREATE OR REPLACE FUNCTION model_status_transition_allowed(p_from text, p_to text, p_rollback boolean)
RETURNS boolean LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, public, pg_temp AS $$
SELECT version_lifecycle_allows('model', p_from, p_to, p_rollback)
$$;

-- BEFORE UPDATE OF status (TG_ARGV: kind, name column, version column): refuse what the
-- lifecycle does not allow. Unknown statuses are left to the CHECK constraint, which names them.
CREATE OR REPLACE FUNCTION version_status_guard() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    kind text := TG_ARGV[0];
    shown jsonb := to_jsonb(NEW);
BEGIN
    IF NEW.status = ANY (version_statuses(kind))
       AND NOT version_lifecycle_allows(kind, OLD.status, NEW.status,
                                        coalesce(current_setting('precog.status_action', true) = 'rollback', false)) THEN
        RAISE EXCEPTION '% % cannot go from % to %', shown ->> TG_ARGV[1], shown ->> TG_ARGV[2], OLD.status, NEW.status
            USING ERRCODE = 'check_violation',
                  HINT = CASE WHEN kind = 'model' AND OLD.status = 'deprecated' AND NEW.status = 'active'
                              THEN 'A deprecated version becomes active again only by rolling back (rollback_model).'
                              WHEN kind = 'model' THEN 'The lifecycle is draft → training → validating → active → deprecated.'
                              ELSE 'The lifecycle is draft → testing → active → inactive → deprecated; '
                                   'an inactive version may become active again.' END;
    END IF;
    RETURN NEW;
END $$;

-- AFTER UPDATE OF status: append the change. The lifecycle functions say who, why and (for
-- loaders) when through transaction-local settings; a plain UPDATE is recorded as the database
-- role's, now. (A trigger function is compiled per table, so each branch names its own columns.)
CREATE OR REPLACE FUNCTION version_status_record_change() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    action text := nullif(current_setting('precog.status_action', true), '');
    changed timestamp := coalesce(CASE WHEN action IS NOT NULL
                                       THEN nullif(current_setting('precog.status_at', true), '')::timestamp END,
                                  now() AT TIME ZONE 'UTC');
    actor text := coalesce(nullif(current_setting('precog.status_actor', true), ''), 'db:' || session_user);
    why text := nullif(current_setting('precog.status_reason', true), '');
    request text := nullif(current_setting('precog.status_request', true), '');
BEGIN
    IF TG_TABLE_NAME = 'probability_models' THEN
        INSERT INTO model_status_history (model_id, from_status, to_status, action, changed_at, changed_by, reason, request_id)
        VALUES (NEW.model_id, OLD.status, NEW.status, coalesce(action, 'update'), changed, actor, why, request);
    ELSE
        INSERT INTO strategy_status_history (strategy_id, from_status, to_status, action, changed_at, changed_by, reason,
                                             request_id)
        VALUES (NEW.strategy_id, OLD.status, NEW.status, coalesce(action, 'update'), changed, actor, why, request);
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE TRIGGER probability_models_status_guard BEFORE UPDATE OF status ON probability_models
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION version_status_guard('model', 'model_name', 'model_version');
CREATE OR REPLACE TRIGGER probability_models_status_history AFTER UPDATE OF status ON probability_models
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION version_status_record_change();
CREATE OR REPLACE TRIGGER strategies_status_guard BEFORE UPDATE OF status ON strategies
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION version_status_guard('strategy', 'strategy_name', 'strategy_version');
CREATE OR REPLACE TRIGGER strategies_status_history AFTER UPDATE OF status ON strategies
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION version_status_record_change();
-- The model-only functions this section replaced (databases made by an earlier schema.sql).
DROP FUNCTION IF EXISTS model_status_guard(), model_status_record_change(),
    model_set_status(int, text, text, text, text, text), model_transition_check_request(text, text, text),
    model_request_outcome(text);

-- Every version of both kinds, and every recorded change, in one shape.
CREATE OR REPLACE VIEW lifecycle_versions AS
SELECT 'model'::varchar AS kind, pm.model_id AS version_id, pm.model_name AS name, pm.model_version AS version,
       pm.status, pm.created_at, pm.created_by
FROM probability_models pm
UNION ALL
SELECT 'strategy'::varchar, s.strategy_id, s.strategy_name, s.strategy_version, s.status, s.created_at, s.created_by
FROM strategies s;

CREATE OR REPLACE VIEW version_status_history AS
SELECT 'model'::varchar AS kind, h.model_id AS version_id, h.history_id, h.from_status, h.to_status, h.action,
       h.changed_at, h.changed_by, h.reason, h.request_id, h.xact_id
FROM model_status_history h
UNION ALL
SELECT 'strategy'::varchar, h.strategy_id, h.history_id, h.from_status, h.to_status, h.action, h.changed_at,
       h.changed_by, h.reason, h.request_id, h.xact_id
FROM strategy_status_history h;

-- Every version's statuses over time: its starting entry (seq 0), then each recorded change
-- (seq = history_id: changes to one name take turns, so seq orders them).
CREATE OR REPLACE VIEW version_status_timeline AS
SELECT v.kind, v.version_id, v.name, v.version,
       NULL::varchar AS from_status,
       coalesce(first_change.from_status, v.status) AS to_status,
       coalesce(least(v.created_at, first_change.changed_at), first_change.changed_at, '-infinity'::timestamp) AS changed_at,
       coalesce(v.created_by, 'unknown') AS changed_by,
       'created'::varchar AS action,
       NULL::text AS reason,
       0::bigint AS seq,
       NULL::xid8 AS xact_id
FROM lifecycle_versions v
LEFT JOIN LATERAL (
    SELECT h.from_status, h.changed_at FROM version_status_history h
    WHERE h.kind = v.kind
      AND h.history_id = (SELECT min(h2.history_id) FROM version_status_history h2
                          WHERE h2.kind = v.kind AND h2.version_id = v.version_id)
) first_change ON true
UNION ALL
SELECT h.kind, h.version_id, v.name, v.version, h.from_status, h.to_status, h.changed_at, h.changed_by,
       h.action, h.reason, h.history_id, h.xact_id
FROM version_status_history h
JOIN lifecycle_versions v ON v.kind = h.kind AND v.version_id = h.version_id;

-- The timeline as spans: each status a version held, from `since` until its next change
-- (`until`, infinity for the status it holds now). What the audit and the as-of answers read.
CREATE OR REPLACE VIEW version_status_spans AS
SELECT t.kind, t.version_id, t.name, t.version, t.to_status AS status, t.changed_at AS since,
       coalesce((SELECT n.changed_at FROM version_status_history n
                 WHERE n.kind = t.kind
                   AND n.history_id = (SELECT min(n2.history_id) FROM version_status_history n2
                                       WHERE n2.kind = t.kind AND n2.version_id = t.version_id AND n2.history_id > t.seq)),
                'infinity'::timestamp) AS until,
       t.seq
FROM version_status_timeline t;

-- (the model-only timeline, as the models page and its tests read it)
CREATE OR REPLACE VIEW model_status_timeline AS
SELECT t.version_id AS model_id, t.name AS model_name, t.version AS model_version, t.from_status, t.to_status,
       t.changed_at, t.changed_by, t.action, t.reason, t.seq, t.xact_id
FROM version_status_timeline t
WHERE t.kind = 'model';

-- Each version of one kind (of one name, or of all when p_name is NULL) that existed at p_at,
-- with its status then and since when. A change recorded at p_at has happened at p_at.
CREATE OR REPLACE FUNCTION versions_status_at(p_kind text, p_at timestamp, p_name text DEFAULT NULL)
RETURNS TABLE (version_id int, name varchar, version varchar, status varchar, since timestamp)
LANGUAGE sql STABLE
SET search_path = pg_catalog, public, pg_temp AS $$
SELECT DISTINCT ON (t.version_id) t.version_id, t.name, t.version, t.to_status, t.changed_at
FROM version_status_timeline t
WHERE t.kind = p_kind AND (p_name IS NULL OR t.name = p_name) AND t.changed_at <= p_at
ORDER BY t.version_id, t.seq DESC
$$;

-- Which model versions were active at time p_at (of one model, or of all when p_model_name is
-- NULL), and since when.
CREATE OR REPLACE FUNCTION model_versions_active_at(p_at timestamp, p_model_name text DEFAULT NULL)
RETURNS TABLE (model_id int, model_name varchar, model_version varchar, active_since timestamp)
LANGUAGE sql STABLE
SET search_path = pg_catalog, public, pg_temp AS $$
SELECT s.version_id, s.name, s.version, s.since
FROM versions_status_at('model', p_at, p_model_name) s
WHERE s.status = 'active'
ORDER BY s.version, s.version_id
$$;

-- What rolling back a name would do, without doing it. Rolling back undoes the latest
-- activation among the versions active now: that version retires, and the versions that were
-- active just before the call that activated it are active again. With no active version, the
-- versions the last call deactivated are re-activated. Raises when there is nothing to return to
-- (e.g. a name whose first active version is the only one ever active).
CREATE OR REPLACE FUNCTION version_rollback_plan(p_kind text, p_name text)
RETURNS TABLE (version_id int, version varchar, from_status varchar, to_status varchar)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    retired varchar := version_retired_status(p_kind);
    latest record;
    first_seq bigint;
    before_ids int[];
    last_off record;
BEGIN
    IF retired IS NULL THEN
        RAISE EXCEPTION 'the kind of version must be model or strategy, not %', coalesce(p_kind, 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM lifecycle_versions v WHERE v.kind = p_kind AND v.name = p_name) THEN
        RAISE EXCEPTION 'there is no % named %', p_kind, p_name USING ERRCODE = 'no_data_found';
    END IF;
    -- the latest activation among the versions active now
    SELECT t.version_id, t.version, t.changed_at, t.seq, t.xact_id INTO latest
    FROM version_status_timeline t JOIN lifecycle_versions v ON v.kind = t.kind AND v.version_id = t.version_id
    WHERE t.kind = p_kind AND t.name = p_name AND t.to_status = 'active' AND v.status = 'active'
    ORDER BY t.changed_at DESC, t.seq DESC
    LIMIT 1;

    IF FOUND THEN
        -- every version's status just before the call that made it active
        SELECT min(h.history_id) INTO first_seq
        FROM version_status_history h JOIN lifecycle_versions v ON v.kind = h.kind AND v.version_id = h.version_id
        WHERE h.kind = p_kind AND v.name = p_name AND h.xact_id = latest.xact_id AND h.changed_at = latest.changed_at;
        SELECT array_agg(b.version_id) INTO before_ids
        FROM (
            SELECT DISTINCT ON (t.version_id) t.version_id, t.to_status
            FROM version_status_timeline t
            WHERE t.kind = p_kind AND t.name = p_name
              AND CASE WHEN latest.seq = 0 THEN t.seq = 0 AND t.changed_at < latest.changed_at
                       ELSE (t.seq = 0 AND t.changed_at <= latest.changed_at) OR (t.seq > 0 AND t.seq < first_seq) END
            ORDER BY t.version_id, t.seq DESC
        ) b
        WHERE b.to_status = 'active' AND b.version_id <> latest.version_id;
        IF before_ids IS NULL THEN
            RAISE EXCEPTION 'no version of % was active before % became active, so there is nothing to roll back to',
                p_name, latest.version USING ERRCODE = 'no_data_found';
        END IF;
        RETURN QUERY SELECT latest.version_id, latest.version, 'active'::varchar, retired;
        RETURN QUERY
        SELECT v.version_id, v.version, v.status, 'active'::varchar
        FROM lifecycle_versions v
        WHERE v.kind = p_kind AND v.version_id = ANY (before_ids) AND v.status = retired
        ORDER BY v.version;
        RETURN;
    END IF;

    -- no active version: re-activate the versions the last deactivating call took out of service
    SELECT h.xact_id, h.changed_at INTO last_off
    FROM version_status_history h JOIN lifecycle_versions v ON v.kind = h.kind AND v.version_id = h.version_id
    WHERE h.kind = p_kind AND v.name = p_name AND h.from_status = 'active'
    ORDER BY h.history_id DESC LIMIT 1;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no version of % is active or was deactivated, so there is nothing to roll back to', p_name
            USING ERRCODE = 'no_data_found';
    END IF;
    RETURN QUERY
    SELECT DISTINCT v.version_id, v.version, v.status, 'active'::varchar
    FROM version_status_history h JOIN lifecycle_versions v ON v.kind = h.kind AND v.version_id = h.version_id
    WHERE h.kind = p_kind AND v.name = p_name AND h.xact_id = last_off.xact_id AND h.changed_at = last_off.changed_at
      AND h.from_status = 'active' AND v.status = retired
    ORDER BY v.version;
END $$;

CREATE OR REPLACE FUNCTION model_rollback_plan(p_model_name text)
RETURNS TABLE (model_id int, model_version varchar, from_status varchar, to_status varchar)
LANGUAGE sql STABLE
SET search_path = pg_catalog, public, pg_temp AS $$
SELECT p.version_id, p.version, p.from_status, p.to_status FROM version_rollback_plan('model', p_model_name) p
$$;

-- Checks shared by the write functions; raises with a sentence for people.
CREATE OR REPLACE FUNCTION version_check_request(p_kind text, p_actor text, p_reason text, p_request_id text)
RETURNS void LANGUAGE plpgsql
SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF p_kind IS NULL OR p_kind NOT IN ('model', 'strategy') THEN
        RAISE EXCEPTION 'the kind of version must be model or strategy, not %', coalesce(p_kind, 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF p_actor IS NULL OR btrim(p_actor) = '' OR char_length(p_actor) > 200 THEN
        RAISE EXCEPTION 'a status change needs the name of who makes it (at most 200 characters)'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF p_reason IS NULL OR btrim(p_reason) = '' THEN
        RAISE EXCEPTION 'a status change needs a reason' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF char_length(p_reason) > 500 THEN
        RAISE EXCEPTION 'the reason is % characters long; at most 500 are allowed', char_length(p_reason)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF char_length(p_request_id) > 100 THEN
        RAISE EXCEPTION 'the request id is longer than 100 characters' USING ERRCODE = 'invalid_parameter_value';
    END IF;
END $$;

-- A loader's moment for a change of name p_name (see the header); NULL: now.
CREATE OR REPLACE FUNCTION version_check_at(p_kind text, p_name text, p_created timestamp, p_at timestamp)
RETURNS void LANGUAGE plpgsql
SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    latest timestamp;
BEGIN
    IF p_at IS NULL THEN
        RETURN;
    END IF;
    IF p_at < p_created THEN
        RAISE EXCEPTION 'a status change of % cannot be recorded at %, before the version was created (%)',
            p_name, p_at, p_created USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT max(h.changed_at) INTO latest
    FROM version_status_history h JOIN lifecycle_versions v ON v.kind = h.kind AND v.version_id = h.version_id
    WHERE h.kind = p_kind AND v.name = p_name;
    IF p_at < latest THEN
        RAISE EXCEPTION 'a status change of % cannot be recorded at %, before its latest recorded change (%)',
            p_name, p_at, latest USING ERRCODE = 'invalid_parameter_value';
    END IF;
END $$;

-- Set one version's status as part of an admin action (the triggers check and record it). Every
-- setting is written on each call, so nothing a caller set beforehand reaches the history.
CREATE OR REPLACE FUNCTION version_set_status(p_kind text, p_version_id int, p_status text, p_action text,
                                              p_actor text, p_reason text, p_request_id text, p_at timestamp)
RETURNS void LANGUAGE plpgsql
SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    PERFORM set_config('precog.status_action', p_action, true), set_config('precog.status_actor', p_actor, true),
            set_config('precog.status_reason', coalesce(p_reason, ''), true),
            set_config('precog.status_request', coalesce(p_request_id, ''), true),
            set_config('precog.status_at', coalesce(to_char(p_at, 'YYYY-MM-DD"T"HH24:MI:SS.US'), ''), true);
    IF p_kind = 'model' THEN
        UPDATE probability_models SET status = p_status WHERE model_id = p_version_id;
    ELSE
        UPDATE strategies SET status = p_status WHERE strategy_id = p_version_id;
    END IF;
    PERFORM set_config('precog.status_action', '', true), set_config('precog.status_actor', '', true),
            set_config('precog.status_reason', '', true), set_config('precog.status_request', '', true),
            set_config('precog.status_at', '', true);
END $$;

-- Every version of one name, locked in id order: concurrent changes to one name take turns.
CREATE OR REPLACE FUNCTION version_lock_name(p_kind text, p_name text) RETURNS boolean
LANGUAGE plpgsql
SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF p_kind = 'model' THEN
        PERFORM 1 FROM probability_models pm WHERE pm.model_name = p_name ORDER BY pm.model_id FOR UPDATE;
    ELSE
        PERFORM 1 FROM strategies s WHERE s.strategy_name = p_name ORDER BY s.strategy_id FOR UPDATE;
    END IF;
    RETURN FOUND;
END $$;

-- The rows an earlier call with this request id wrote (applied = false: nothing new happened).
-- Raises when the id was used for another name.
CREATE OR REPLACE FUNCTION version_request_outcome(p_kind text, p_name text, p_request_id text)
RETURNS TABLE (version_id int, version varchar, from_status varchar, to_status varchar, applied boolean)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM version_status_history h JOIN lifecycle_versions v
                                 ON v.kind = h.kind AND v.version_id = h.version_id
                    WHERE h.kind = p_kind AND h.request_id = p_request_id AND v.name = p_name) THEN
        RAISE EXCEPTION 'request % was already used for another %', p_request_id, p_kind
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN QUERY
    SELECT h.version_id, v.version, h.from_status, h.to_status, false
    FROM version_status_history h JOIN lifecycle_versions v ON v.kind = h.kind AND v.version_id = h.version_id
    WHERE h.kind = p_kind AND h.request_id = p_request_id
    ORDER BY h.history_id;
END $$;

-- One lifecycle step of one version. p_mode matters when the new status is 'active': 'replace'
-- retires the other active versions of the same name, 'alongside' keeps them (A/B). Asking for
-- the status a version already has changes nothing (except that 'replace' still retires the
-- others). Returns one row per version changed (applied = true), or what an earlier call with
-- the same request id did, or the unchanged version (applied = false). p_at: see the header.
CREATE OR REPLACE FUNCTION transition_version_status(p_kind text, p_version_id int, p_new_status text, p_actor text,
                                                     p_reason text, p_mode text DEFAULT 'replace',
                                                     p_request_id text DEFAULT NULL, p_at timestamp DEFAULT NULL)
RETURNS TABLE (version_id int, version varchar, from_status varchar, to_status varchar, applied boolean)
LANGUAGE plpgsql
SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    target record;
    other record;
    changed boolean := false;
BEGIN
    PERFORM version_check_request(p_kind, p_actor, p_reason, p_request_id);
    IF p_mode IS NULL OR p_mode NOT IN ('replace', 'alongside') THEN
        RAISE EXCEPTION 'the mode must be replace or alongside, not %', coalesce(p_mode, 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF p_new_status IS NULL OR NOT p_new_status = ANY (version_statuses(p_kind)) THEN
        RAISE EXCEPTION '% is not a % status (%)', coalesce(p_new_status, 'NULL'), p_kind,
            array_to_string(version_statuses(p_kind), ', ') USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT * INTO target FROM lifecycle_versions v WHERE v.kind = p_kind AND v.version_id = p_version_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'there is no % version with id %', p_kind, p_version_id USING ERRCODE = 'no_data_found';
    END IF;
    PERFORM version_lock_name(p_kind, target.name);
    SELECT * INTO target FROM lifecycle_versions v WHERE v.kind = p_kind AND v.version_id = p_version_id;

    IF p_request_id IS NOT NULL AND EXISTS (SELECT 1 FROM version_status_history h
                                            WHERE h.kind = p_kind AND h.request_id = p_request_id) THEN
        RETURN QUERY SELECT * FROM version_request_outcome(p_kind, target.name, p_request_id);
        RETURN;
    END IF;
    PERFORM version_check_at(p_kind, target.name, target.created_at, p_at);

    IF target.status <> p_new_status THEN
        PERFORM version_set_status(p_kind, target.version_id, p_new_status,
                                   CASE WHEN p_new_status = 'active' THEN 'promote_' || p_mode ELSE 'transition' END,
                                   p_actor, p_reason, p_request_id, p_at);
        changed := true;
        RETURN QUERY SELECT target.version_id, target.version, target.status, p_new_status::varchar, true;
    END IF;
    IF p_new_status = 'active' AND p_mode = 'replace' THEN
        FOR other IN SELECT v.version_id, v.version FROM lifecycle_versions v
                     WHERE v.kind = p_kind AND v.name = target.name AND v.status = 'active'
                       AND v.version_id <> target.version_id
                     ORDER BY v.version_id LOOP
            PERFORM version_set_status(p_kind, other.version_id, version_retired_status(p_kind), 'replaced', p_actor,
                                       p_reason, p_request_id, p_at);
            changed := true;
            RETURN QUERY SELECT other.version_id, other.version, 'active'::varchar,
                                version_retired_status(p_kind)::varchar, true;
        END LOOP;
    END IF;
    IF NOT changed THEN
        RETURN QUERY SELECT target.version_id, target.version, target.status, target.status, false;
    END IF;
END $$;

-- Roll a name back (see version_rollback_plan): one call, same rules and request ids as above.
CREATE OR REPLACE FUNCTION rollback_version(p_kind text, p_name text, p_actor text, p_reason text,
                                            p_request_id text DEFAULT NULL, p_at timestamp DEFAULT NULL)
RETURNS TABLE (version_id int, version varchar, from_status varchar, to_status varchar, applied boolean)
LANGUAGE plpgsql
SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    step record;
BEGIN
    PERFORM version_check_request(p_kind, p_actor, p_reason, p_request_id);
    IF NOT version_lock_name(p_kind, p_name) THEN
        RAISE EXCEPTION 'there is no % named %', p_kind, p_name USING ERRCODE = 'no_data_found';
    END IF;
    IF p_request_id IS NOT NULL AND EXISTS (SELECT 1 FROM version_status_history h
                                            WHERE h.kind = p_kind AND h.request_id = p_request_id) THEN
        RETURN QUERY SELECT * FROM version_request_outcome(p_kind, p_name, p_request_id);
        RETURN;
    END IF;
    PERFORM version_check_at(p_kind, p_name, NULL, p_at);
    -- retirements first, then re-activations, each recorded as action 'rollback'
    FOR step IN SELECT * FROM version_rollback_plan(p_kind, p_name) pl
                ORDER BY (pl.to_status = 'active'), pl.version LOOP
        PERFORM version_set_status(p_kind, step.version_id, step.to_status, 'rollback', p_actor, p_reason,
                                   p_request_id, p_at);
        RETURN QUERY SELECT step.version_id, step.version, step.from_status, step.to_status, true;
    END LOOP;
END $$;

-- The dashboard's writer calls these two (models page): the owner's rights, now as the moment.
CREATE OR REPLACE FUNCTION transition_model_status(p_model_id int, p_new_status text, p_actor text, p_reason text,
                                                   p_mode text DEFAULT 'replace', p_request_id text DEFAULT NULL)
RETURNS TABLE (model_id int, model_version varchar, from_status varchar, to_status varchar, applied boolean)
LANGUAGE sql SECURITY DEFINER  -- runs as the owner; the writer role may only call it
SET search_path = pg_catalog, public, pg_temp AS $$
SELECT * FROM transition_version_status('model', p_model_id, p_new_status, p_actor, p_reason, p_mode, p_request_id, NULL)
$$;

CREATE OR REPLACE FUNCTION rollback_model(p_model_name text, p_actor text, p_reason text, p_request_id text DEFAULT NULL)
RETURNS TABLE (model_id int, model_version varchar, from_status varchar, to_status varchar, applied boolean)
LANGUAGE sql SECURITY DEFINER  -- runs as the owner; the writer role may only call it
SET search_path = pg_catalog, public, pg_temp AS $$
SELECT * FROM rollback_version('model', p_model_name, p_actor, p_reason, p_request_id, NULL)
$$;

-- ---------------------------------------------------------------------------------------------
-- Alerts: acknowledge, resolve, audit trail (alerts page)
-- ---------------------------------------------------------------------------------------------
-- Who did what to an alert is the audit table alert_actions (append-only); the alert row keeps
-- the current state. Responders act only through acknowledge_alert() and resolve_alert(): each is
-- one conditional UPDATE (first writer wins) plus one audit row, in the caller's transaction, and
-- returns what happened as a row, so a second responder is told who was first and when.

-- The one definition of acceptable input, used by both functions and by alert_actions' CHECK.
-- NULL when acceptable, else one sentence. Notes may hold tabs and line breaks, nothing else
-- from the control ranges (C0, DEL, C1).
CREATE OR REPLACE FUNCTION alert_action_problem(p_action text, p_actor text, p_notes text,
                                                p_resolution_action text)
RETURNS text LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, public, pg_temp AS $$
SELECT CASE
    WHEN p_action IS NULL OR p_action NOT IN ('acknowledge', 'resolve', 'snooze')
        THEN 'The action must be acknowledge, resolve or snooze.'
    WHEN p_actor IS NULL OR btrim(p_actor) = ''
        THEN 'An alert action needs an actor.'
    WHEN char_length(p_actor) > 200 OR p_actor ~ '[\x01-\x1f\x7f-\x9f]'
        THEN 'The actor name is too long or holds control characters.'
    WHEN char_length(p_notes) > 2000
        THEN format('The note is %s characters long; at most 2000 are allowed.', char_length(p_notes))
    WHEN p_notes ~ '[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]'
        THEN 'The note holds control characters; only text, tabs and line breaks are allowed.'
    WHEN p_action = 'resolve' AND (p_resolution_action IS NULL OR btrim(p_resolution_action) = '')
        THEN 'Resolving an alert needs a resolution action (fixed, false_positive, ignored or escalated).'
    WHEN p_action = 'resolve' AND p_resolution_action NOT IN ('fixed', 'false_positive', 'ignored', 'escalated')
        THEN format('The resolution action %s is unknown; use fixed, false_positive, ignored or escalated.',
                    -- control characters shown as '?': the sentence stays on one line
                    quote_literal(left(regexp_replace(p_resolution_action, '[[:cntrl:]]', '?', 'g'), 40)))
    WHEN p_action = 'acknowledge' AND p_resolution_action IS NOT NULL
        THEN 'An acknowledgement has no resolution action.'
    WHEN p_action = 'snooze' AND (p_notes IS NULL OR btrim(p_notes) = '')
        THEN 'Snoozing an alert needs a reason.'
    WHEN p_action = 'snooze' AND p_resolution_action IS NOT NULL
        THEN 'A snooze has no resolution action.'
END
$$;

CREATE TABLE IF NOT EXISTS alert_actions (
    action_id         BIGSERIAL PRIMARY KEY,
    alert_id          INT NOT NULL REFERENCES alerts(alert_id),
    action            VARCHAR NOT NULL,
    actor             VARCHAR NOT NULL,
    notes             TEXT,
    resolution_action VARCHAR,
    acted_at          TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
    snoozed_until     TIMESTAMP,               -- a snooze's end (action 'snooze' only)
    CONSTRAINT alert_actions_input_acceptable
        CHECK (alert_action_problem(action, actor, notes, resolution_action) IS NULL)
);
ALTER TABLE alert_actions ADD COLUMN IF NOT EXISTS snoozed_until TIMESTAMP;
-- An alert is acknowledged once and resolved once: a second audit row of either kind is refused
-- even if a client bypasses the functions. It may be snoozed many times (one at a time:
-- snooze_alert). The first index of this name covered snoozes too: replaced by the partial one.
DROP INDEX IF EXISTS alert_actions_once_per_alert;
CREATE UNIQUE INDEX IF NOT EXISTS alert_actions_once_per_response ON alert_actions(alert_id, action)
    WHERE action IN ('acknowledge', 'resolve');
-- an alert's timeline
CREATE INDEX IF NOT EXISTS idx_alert_actions_alert ON alert_actions(alert_id, acted_at);
CREATE INDEX IF NOT EXISTS idx_alert_actions_acted ON alert_actions(acted_at);

CREATE OR REPLACE TRIGGER alert_actions_append_only BEFORE UPDATE OR DELETE ON alert_actions
    FOR EACH ROW EXECUTE FUNCTION refuse_change_append_only();
CREATE OR REPLACE TRIGGER alert_actions_no_truncate BEFORE TRUNCATE ON alert_actions
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change_append_only();

-- Once given, an acknowledgement or a resolution never changes: no client can reopen a resolved
-- alert or rewrite who acknowledged it (other columns, e.g. notification tracking, stay updatable).
CREATE OR REPLACE FUNCTION alerts_guard_response() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF OLD.acknowledged_at IS NOT NULL
       AND (NEW.acknowledged_at, NEW.acknowledged_by, NEW.acknowledged_notes)
           IS DISTINCT FROM (OLD.acknowledged_at, OLD.acknowledged_by, OLD.acknowledged_notes) THEN
        RAISE EXCEPTION 'alert % is already acknowledged: its acknowledgement cannot change', OLD.alert_id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF OLD.resolved_at IS NOT NULL
       AND (NEW.resolved_at, NEW.resolved_by, NEW.resolved_notes, NEW.resolution_action)
           IS DISTINCT FROM (OLD.resolved_at, OLD.resolved_by, OLD.resolved_notes, OLD.resolution_action) THEN
        RAISE EXCEPTION 'alert % is already resolved: it cannot be reopened or changed', OLD.alert_id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE OR REPLACE TRIGGER alerts_response_guard BEFORE UPDATE ON alerts
    FOR EACH ROW EXECUTE FUNCTION alerts_guard_response();

-- outcome: acknowledged | already_acknowledged | already_resolved | unknown_alert.
-- Unacceptable input raises invalid_parameter_value with alert_action_problem()'s sentence.
-- Under READ COMMITTED concurrent callers queue on the row lock; each re-checks
-- "acknowledged_at IS NULL" on the winner's committed row, finds it set and updates nothing.
CREATE OR REPLACE FUNCTION acknowledge_alert(p_alert_id int, p_actor text, p_notes text)
RETURNS TABLE (outcome text, alert_id int, actor varchar, acted_at timestamp, message text)
LANGUAGE plpgsql SECURITY DEFINER  -- runs as the owner; the writer role may only call it
SET search_path = pg_catalog, public, pg_temp AS $$
#variable_conflict use_column
DECLARE
    v_now timestamp := now() AT TIME ZONE 'UTC';
    v_notes text := nullif(btrim(p_notes), '');
    v_problem text := alert_action_problem('acknowledge', p_actor, v_notes, NULL);
    v_alert alerts%ROWTYPE;
BEGIN
    IF v_problem IS NOT NULL THEN
        RAISE EXCEPTION '%', v_problem USING ERRCODE = 'invalid_parameter_value';
    END IF;
    UPDATE alerts a
       SET acknowledged_at = v_now, acknowledged_by = p_actor, acknowledged_notes = v_notes
     WHERE a.alert_id = p_alert_id AND a.acknowledged_at IS NULL AND a.resolved_at IS NULL;
    IF FOUND THEN
        INSERT INTO alert_actions (alert_id, action, actor, notes, acted_at)
        VALUES (p_alert_id, 'acknowledge', p_actor, v_notes, v_now);
        RETURN QUERY SELECT 'acknowledged'::text, p_alert_id, p_actor::varchar, v_now,
            format('Alert %s acknowledged by %s at %s UTC.', p_alert_id, p_actor,
                   to_char(v_now, 'YYYY-MM-DD HH24:MI:SS'));
        RETURN;
    END IF;
    -- Nothing updated: say why, from the committed row.
    SELECT * INTO v_alert FROM alerts a WHERE a.alert_id = p_alert_id;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'unknown_alert'::text, p_alert_id, NULL::varchar, NULL::timestamp,
            format('There is no alert %s.', p_alert_id);
    ELSIF v_alert.resolved_at IS NOT NULL THEN
        RETURN QUERY SELECT 'already_resolved'::text, p_alert_id, v_alert.resolved_by, v_alert.resolved_at,
            format('Alert %s was already resolved by %s at %s UTC (%s); nothing changed.', p_alert_id,
                   v_alert.resolved_by, to_char(v_alert.resolved_at, 'YYYY-MM-DD HH24:MI:SS'),
                   v_alert.resolution_action);
    ELSE
        RETURN QUERY SELECT 'already_acknowledged'::text, p_alert_id, v_alert.acknowledged_by,
            v_alert.acknowledged_at,
            format('Alert %s was already acknowledged by %s at %s UTC; nothing changed.', p_alert_id,
                   v_alert.acknowledged_by, to_char(v_alert.acknowledged_at, 'YYYY-MM-DD HH24:MI:SS'));
    END IF;
END $$;

-- outcome: resolved | already_resolved | not_acknowledged | unknown_alert.
CREATE OR REPLACE FUNCTION resolve_alert(p_alert_id int, p_actor text, p_action text, p_notes text)
RETURNS TABLE (outcome text, alert_id int, actor varchar, acted_at timestamp, message text)
LANGUAGE plpgsql SECURITY DEFINER  -- runs as the owner; the writer role may only call it
SET search_path = pg_catalog, public, pg_temp AS $$
#variable_conflict use_column
DECLARE
    v_now timestamp := now() AT TIME ZONE 'UTC';
    v_notes text := nullif(btrim(p_notes), '');
    v_problem text := alert_action_problem('resolve', p_actor, v_notes, p_action);
    v_alert alerts%ROWTYPE;
BEGIN
    IF v_problem IS NOT NULL THEN
        RAISE EXCEPTION '%', v_problem USING ERRCODE = 'invalid_parameter_value';
    END IF;
    UPDATE alerts a
       SET resolved_at = v_now, resolved_by = p_actor, resolved_notes = v_notes, resolution_action = p_action
     WHERE a.alert_id = p_alert_id AND a.resolved_at IS NULL AND a.acknowledged_at IS NOT NULL;
    IF FOUND THEN
        INSERT INTO alert_actions (alert_id, action, actor, notes, resolution_action, acted_at)
        VALUES (p_alert_id, 'resolve', p_actor, v_notes, p_action, v_now);
        RETURN QUERY SELECT 'resolved'::text, p_alert_id, p_actor::varchar, v_now,
            format('Alert %s resolved (%s) by %s at %s UTC.', p_alert_id, p_action, p_actor,
                   to_char(v_now, 'YYYY-MM-DD HH24:MI:SS'));
        RETURN;
    END IF;
    SELECT * INTO v_alert FROM alerts a WHERE a.alert_id = p_alert_id;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'unknown_alert'::text, p_alert_id, NULL::varchar, NULL::timestamp,
            format('There is no alert %s.', p_alert_id);
    ELSIF v_alert.resolved_at IS NOT NULL THEN
        RETURN QUERY SELECT 'already_resolved'::text, p_alert_id, v_alert.resolved_by, v_alert.resolved_at,
            format('Alert %s was already resolved by %s at %s UTC (%s); nothing changed.', p_alert_id,
                   v_alert.resolved_by, to_char(v_alert.resolved_at, 'YYYY-MM-DD HH24:MI:SS'),
                   v_alert.resolution_action);
    ELSE
        RETURN QUERY SELECT 'not_acknowledged'::text, p_alert_id, NULL::varchar, NULL::timestamp,
            format('Alert %s is not acknowledged yet; acknowledge it before resolving it.', p_alert_id);
    END IF;
END $$;

-- Snooze: a responder takes an unresolved alert out of the queue until a moment, with a reason.
-- It comes back by itself: the queue compares snoozed_until with the database's now() (no job).
-- One snooze at a time, first writer wins: while an alert is snoozed, a second snooze changes
-- nothing and is told who snoozed it until when. Each snooze is an audit row in alert_actions.
-- outcome: snoozed | already_snoozed | already_resolved | unknown_alert. Unacceptable input (no
-- reason, a reason over 2000 characters, an end not in the future or over 7 days away) raises
-- invalid_parameter_value with one sentence and writes nothing.
CREATE OR REPLACE FUNCTION snooze_alert(p_alert_id int, p_actor text, p_until timestamp, p_reason text)
RETURNS TABLE (outcome text, alert_id int, actor varchar, acted_at timestamp, message text)
LANGUAGE plpgsql SECURITY DEFINER  -- runs as the owner; the writer role may only call it
SET search_path = pg_catalog, public, pg_temp AS $$
#variable_conflict use_column
DECLARE
    v_now timestamp := now() AT TIME ZONE 'UTC';
    v_reason text := nullif(btrim(p_reason), '');
    v_problem text := alert_action_problem('snooze', p_actor, v_reason, NULL);
    v_alert alerts%ROWTYPE;
BEGIN
    IF v_problem IS NULL AND p_until IS NULL THEN
        v_problem := 'Snoozing an alert needs the moment it comes back.';
    ELSIF v_problem IS NULL AND p_until <= v_now THEN
        v_problem := format('A snooze must end in the future; %s UTC has passed.', to_char(p_until, 'YYYY-MM-DD HH24:MI'));
    ELSIF v_problem IS NULL AND p_until > v_now + interval '7 days' THEN
        v_problem := 'A snooze may last at most 7 days.';
    END IF;
    IF v_problem IS NOT NULL THEN
        RAISE EXCEPTION '%', v_problem USING ERRCODE = 'invalid_parameter_value';
    END IF;
    UPDATE alerts a
       SET snoozed_until = p_until, snoozed_by = p_actor, snooze_reason = v_reason
     WHERE a.alert_id = p_alert_id AND a.resolved_at IS NULL
       AND (a.snoozed_until IS NULL OR a.snoozed_until <= v_now);
    IF FOUND THEN
        INSERT INTO alert_actions (alert_id, action, actor, notes, acted_at, snoozed_until)
        VALUES (p_alert_id, 'snooze', p_actor, v_reason, v_now, p_until);
        RETURN QUERY SELECT 'snoozed'::text, p_alert_id, p_actor::varchar, v_now,
            format('Alert %s snoozed by %s until %s UTC.', p_alert_id, p_actor,
                   to_char(p_until, 'YYYY-MM-DD HH24:MI'));
        RETURN;
    END IF;
    SELECT * INTO v_alert FROM alerts a WHERE a.alert_id = p_alert_id;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'unknown_alert'::text, p_alert_id, NULL::varchar, NULL::timestamp,
            format('There is no alert %s.', p_alert_id);
    ELSIF v_alert.resolved_at IS NOT NULL THEN
        RETURN QUERY SELECT 'already_resolved'::text, p_alert_id, v_alert.resolved_by, v_alert.resolved_at,
            format('Alert %s was already resolved by %s at %s UTC (%s); there is nothing to snooze.', p_alert_id,
                   v_alert.resolved_by, to_char(v_alert.resolved_at, 'YYYY-MM-DD HH24:MI:SS'),
                   v_alert.resolution_action);
    ELSE
        RETURN QUERY SELECT 'already_snoozed'::text, p_alert_id, v_alert.snoozed_by, v_alert.snoozed_until,
            format('Alert %s is already snoozed by %s until %s UTC; nothing changed.', p_alert_id,
                   v_alert.snoozed_by, to_char(v_alert.snoozed_until, 'YYYY-MM-DD HH24:MI'));
    END IF;
END $$;

-- Acknowledged but forgotten: how long an acknowledged alert may stay unresolved, per severity,
-- before the queue puts it back on top marked overdue (NULL: never). Only the tables' owner
-- changes it (UPDATE alert_ack_limits SET resolve_within = interval '2 hours' WHERE severity =
-- 'critical'); the dashboard's roles read it. Rows are added once, never overwritten by an apply.
CREATE TABLE IF NOT EXISTS alert_ack_limits (
    severity       VARCHAR PRIMARY KEY CHECK (severity IN ('critical', 'high', 'medium', 'low')),
    resolve_within INTERVAL CHECK (resolve_within > interval '0')
);
INSERT INTO alert_ack_limits (severity, resolve_within)
VALUES ('critical', interval '1 hour'), ('high', interval '4 hours'), ('medium', interval '24 hours'), ('low', NULL)
ON CONFLICT (severity) DO NOTHING;

-- ---------------------------------------------------------------------------------------------
-- Position exits: one row per position, exit orders as runs of attempts (exits page)
-- (No ORDER BY anywhere in a view, even inside an aggregate: "first" is "no earlier one".)
-- ---------------------------------------------------------------------------------------------
-- position_summary (one row per position: its current state with what it opened with and the
-- versions behind it) is defined with position_facts, in "Performance at ten years" below.

-- exit_attempts has no order key: one exit order is a run of attempts numbered 1, 2, ... while
-- the limit price walks. Runs of one position can overlap in time (a second partial exit starts
-- before the first fills), so an attempt belongs to the latest run started (attempt_number = 1)
-- at or before it with the same condition, priority and quantity; sequence_id is that start's
-- attempt_id. Two overlapping runs identical in all three cannot be told apart (they merge); an
-- attempt with no start before it is a run of its own.
CREATE OR REPLACE VIEW exit_attempts_sequenced AS
SELECT a.*, coalesce(start.attempt_id, a.attempt_id) AS sequence_id
FROM exit_attempts a
LEFT JOIN exit_attempts start
  ON start.position_id = a.position_id AND start.exit_condition = a.exit_condition
 AND start.priority_level = a.priority_level AND start.quantity = a.quantity
 AND start.attempt_number = 1
 AND (start.created_at, start.attempt_id) <= (a.created_at, a.attempt_id)
WHERE NOT EXISTS (
    SELECT 1 FROM exit_attempts later_start
    WHERE later_start.position_id = a.position_id AND later_start.exit_condition = a.exit_condition
      AND later_start.priority_level = a.priority_level AND later_start.quantity = a.quantity
      AND later_start.attempt_number = 1
      AND (later_start.created_at, later_start.attempt_id) > (start.created_at, start.attempt_id)
      AND (later_start.created_at, later_start.attempt_id) <= (a.created_at, a.attempt_id));

-- One row per exit order (run of attempts): its first limit price, the lowest it walked to,
-- and whether and when it filled. Prices are those of the contract held, like all position prices.
CREATE OR REPLACE VIEW exit_attempt_sequences AS
SELECT s.sequence_id, s.position_id, s.exit_condition, s.priority_level, s.quantity,
       count(*) AS attempts,
       min(s.order_type) FILTER (WHERE s.attempt_id = s.sequence_id) AS first_order_type,
       min(s.limit_price) FILTER (WHERE s.attempt_id = s.sequence_id) AS first_limit_price,
       min(s.limit_price) AS lowest_limit_price,
       min(s.created_at) AS first_attempt_at,
       max(s.created_at) AS last_attempt_at,
       coalesce(bool_or(s.success), FALSE) AS filled,
       min(s.created_at) FILTER (WHERE s.success) AS filled_at,
       min(s.fill_price) FILTER (WHERE s.success) AS fill_price,
       min(s.order_type) FILTER (WHERE s.success) AS filled_order_type
FROM exit_attempts_sequenced s
GROUP BY s.sequence_id, s.position_id, s.exit_condition, s.priority_level, s.quantity;

-- ---------------------------------------------------------------------------------------------
-- Strategy A/B: closed positions of strategy versions (A/B page)
-- ---------------------------------------------------------------------------------------------
-- The one definition of "a closed position of a strategy version" behind every A/B query: a
-- position whose current row is closed or settled, closed (that row's created_at) in
-- [since, until) (NULL = open-ended), attributed to the strategy and model version of its
-- first buy, when that is one of the given strategy versions. cost is what its buys paid (price x quantity,
-- fees excluded: realized_pnl already nets them), ret = realized_pnl / cost. closing_price is
-- the held contract's last quoted price while the market was open (the 'no' price for a 'no'
-- position), once the market is no longer open; NULL before. CLV = closing_price - entry_price.
-- A plain SQL function (no SET clause) so the planner inlines it into each query.
-- Defined in "Performance at ten years" below: it reads each position's buys from position_facts.

-- ---------------------------------------------------------------------------------------------
-- Filtered sets that several page queries share (trade attribution, current edges)
-- ---------------------------------------------------------------------------------------------
-- Each filter is written once here instead of once per query file. These are plain LANGUAGE sql
-- STABLE functions with no SET clause on purpose: PostgreSQL then inlines them into the calling
-- query, so the caller's ORDER BY / LIMIT / keyset condition plan against the underlying
-- indexes exactly as if the filter were written inline. A NULL argument means "any".

-- Trades matching the trade-attribution filters, created in [p_since, p_until).
-- p_market: a market_id, or the start of a ticker (case-insensitive); the markets are found
-- first, then their trades by index.
CREATE OR REPLACE FUNCTION trades_matching(
    p_since timestamp, p_until timestamp, p_strategy_name text, p_strategy_version text,
    p_model_name text, p_model_version text, p_market text, p_platform_id text, p_side text,
    p_execution_mode text)
RETURNS SETOF trade_attribution LANGUAGE sql STABLE AS $$
SELECT ta.*
FROM trade_attribution ta
WHERE ta.created_at >= p_since AND ta.created_at < p_until
  AND (p_strategy_name IS NULL OR ta.strategy_name = p_strategy_name)
  AND (p_strategy_version IS NULL OR ta.strategy_version = p_strategy_version)
  AND (p_model_name IS NULL OR ta.model_name = p_model_name)
  AND (p_model_version IS NULL OR ta.model_version = p_model_version)
  AND (p_market IS NULL OR ta.market_id IN (
           SELECT mk.market_id FROM markets mk
            WHERE mk.row_current_ind AND (mk.market_id = p_market OR starts_with(upper(mk.ticker), upper(p_market)))))
  AND (p_platform_id IS NULL OR ta.platform_id = p_platform_id)
  AND (p_side IS NULL OR ta.side = p_side)
  AND (p_execution_mode IS NULL OR ta.execution_mode = p_execution_mode)
$$;

-- The current edge of each market x strategy x model on markets that are still OPEN, with what
-- the edges page shows beside it. A settled market's current edge is history (the last thing
-- the model said before the close), not an opportunity anyone can still take.
CREATE OR REPLACE VIEW open_market_edges AS
SELECT e.edge_id, e.market_id, m.ticker AS market_ticker, m.title AS market_title,
       coalesce(ev.subcategory, ev.category) AS sport, ev.category, m.platform_id,
       e.strategy_id, s.strategy_name, s.strategy_version, e.model_id, pm.model_name, pm.model_version,
       e.true_win_probability, e.market_price, e.market_implied_probability, e.expected_value,
       e.confidence_level, e.recommended_action, e.created_at AS quoted_at
FROM current_markets m
JOIN current_edges e ON e.market_id = m.market_id
LEFT JOIN events ev ON ev.event_id = m.event_id
LEFT JOIN strategies s ON s.strategy_id = e.strategy_id
LEFT JOIN probability_models pm ON pm.model_id = e.model_id
WHERE m.status = 'open';

-- Open-market edges matching the edges page's filters (every filter but the EV threshold).
CREATE OR REPLACE FUNCTION open_market_edges_matching(
    p_confidence text[], p_actions text[], p_sports text[], p_platforms text[],
    p_strategy_name text, p_model_name text)
RETURNS SETOF open_market_edges LANGUAGE sql STABLE AS $$
SELECT o.*
FROM open_market_edges o
WHERE (p_confidence IS NULL OR o.confidence_level = ANY (p_confidence))
  AND (p_actions IS NULL OR o.recommended_action = ANY (p_actions))
  AND (p_sports IS NULL OR o.sport = ANY (p_sports))
  AND (p_platforms IS NULL OR o.platform_id = ANY (p_platforms))
  AND (p_strategy_name IS NULL OR o.strategy_name = p_strategy_name)
  AND (p_model_name IS NULL OR o.model_name = p_model_name)
$$;

-- ---------------------------------------------------------------------------------------------
-- Performance at ten years (issue #8; README "Performance")
-- ---------------------------------------------------------------------------------------------
-- What every position opened with, kept by the writer's own INSERTs (statement triggers below),
-- so the exits and A/B pages read one row per position instead of searching each position's
-- history and trades for its first row and first buy: at ten years (158K position rows, 116K
-- trades) that search is most of every exits and A/B query. One row per position_id: its first
-- row's time and quantity (earliest by created_at, id), its first buy (earliest by created_at,
-- trade_id), and the sums of its trades.
CREATE TABLE IF NOT EXISTS position_facts (
    position_id      INT PRIMARY KEY,
    opened_at        TIMESTAMP NOT NULL,
    opening_quantity INT NOT NULL,
    opening_trade_id INT,
    strategy_id      INT,
    model_id         INT,
    buy_quantity     BIGINT,
    buy_cost         NUMERIC,
    fills            BIGINT NOT NULL DEFAULT 0
);
-- The position's current row too (added for the A/B page: its closed positions are read from here
-- by index instead of from every position's history): status, when that row began (closed_at
-- when closed or settled), P&L, mode, market, side, entry price, and the opening buy's edge.
ALTER TABLE position_facts
    ADD COLUMN IF NOT EXISTS market_id VARCHAR,
    ADD COLUMN IF NOT EXISTS side VARCHAR,
    ADD COLUMN IF NOT EXISTS entry_price DECIMAL(10,4),
    ADD COLUMN IF NOT EXISTS status VARCHAR,
    ADD COLUMN IF NOT EXISTS status_since TIMESTAMP,
    ADD COLUMN IF NOT EXISTS realized_pnl DECIMAL(10,4),
    ADD COLUMN IF NOT EXISTS execution_mode VARCHAR,
    ADD COLUMN IF NOT EXISTS edge_at_execution DECIMAL(10,4),
    ADD COLUMN IF NOT EXISTS opening_cost NUMERIC,          -- the opening buy's price x quantity
    ADD COLUMN IF NOT EXISTS updated_at TIMESTAMPTZ NOT NULL DEFAULT now();
CREATE INDEX IF NOT EXISTS idx_position_facts_closed ON position_facts(strategy_id, status_since)
    WHERE status IN ('closed', 'settled');
CREATE INDEX IF NOT EXISTS idx_position_facts_updated ON position_facts(updated_at);
-- realized P&L by day of closing (position_days(), the Overview's stored answer), read without visiting the table
CREATE INDEX IF NOT EXISTS idx_position_facts_closed_pnl ON position_facts(execution_mode, status_since)
    INCLUDE (realized_pnl) WHERE status IN ('closed', 'settled');
CREATE INDEX IF NOT EXISTS idx_position_facts_strategy ON position_facts(strategy_id);
CREATE INDEX IF NOT EXISTS idx_position_facts_model ON position_facts(model_id);
-- The first buy of a position, by index (the facts are recomputed per position on every write).
CREATE INDEX IF NOT EXISTS idx_trades_position_buys ON trades(position_id, created_at, trade_id) WHERE side = 'buy';

-- Summaries below are recomputed per key from their sources. Two transactions writing the same
-- key at once would each recompute without the other's uncommitted rows, and the later upsert
-- would win with a stale answer. So a recompute first takes a transaction-level advisory lock on
-- its keys (hashed into 64 buckets per summary, so a bulk load holds at most 64 locks, taken in
-- order so two writers cannot deadlock on them); the statements after it in a VOLATILE SQL
-- function see what the previous holder committed.
-- The recompute reads its sources after the lock, which shows what the previous holder committed
-- only to a statement that takes a new snapshot: so writers must run at READ COMMITTED. A REPEATABLE
-- READ or SERIALIZABLE writer would recompute from its transaction's first snapshot and could
-- overwrite a newer answer; it is refused with a sentence instead.
CREATE OR REPLACE FUNCTION summary_lock(p_summary text, p_keys text[]) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'writes to the Precog tables must run at READ COMMITTED, not %',
                        upper(current_setting('transaction_isolation'))
            USING ERRCODE = 'feature_not_supported',
                  DETAIL = format('The summary %s is recomputed by this statement and must see what other '
                                  'writers have committed.', p_summary);
    END IF;
    -- OFFSET 0 is not paging: it keeps the planner from flattening the subquery, so the locks are
    -- taken in bucket order and two writers of overlapping keys cannot deadlock on them.
    PERFORM pg_advisory_xact_lock(hashtext(p_summary), s.bucket)
    FROM (SELECT DISTINCT abs(hashtext(k) % 64) AS bucket FROM unnest(p_keys) k ORDER BY 1 OFFSET 0) s;
END $$;
REVOKE EXECUTE ON FUNCTION summary_lock(text, text[]) FROM PUBLIC;

-- Recompute the facts of the given positions from positions and trades (set-based: one call per
-- writing statement, whatever its row count).
CREATE OR REPLACE FUNCTION position_facts_recompute(p_ids int[]) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
SELECT summary_lock('position_facts', p_ids::text[]);
DELETE FROM position_facts f
 WHERE f.position_id = ANY (p_ids) AND NOT EXISTS (SELECT 1 FROM positions p WHERE p.position_id = f.position_id);
INSERT INTO position_facts AS f (position_id, opened_at, opening_quantity, opening_trade_id, strategy_id, model_id,
                                 buy_quantity, buy_cost, fills, market_id, side, entry_price, status, status_since,
                                 realized_pnl, execution_mode, edge_at_execution, opening_cost, updated_at)
SELECT first_row.position_id, first_row.created_at, first_row.quantity, o.trade_id, o.strategy_id, o.model_id,
       b.buy_quantity, b.buy_cost, coalesce(b.fills, 0), cur.market_id, cur.side, cur.entry_price, cur.status,
       cur.created_at, cur.realized_pnl, cur.execution_mode, o.edge_at_execution, o.price * o.quantity, now()
FROM (SELECT DISTINCT ON (p.position_id) p.position_id, p.created_at, p.quantity
      FROM positions p WHERE p.position_id = ANY (p_ids)
      ORDER BY p.position_id, p.created_at, p.id) first_row
-- Within a transaction that swaps the current row (insert, then update the old one: the
-- exclusion constraint is deferred), the newest current row is the one that will stay.
LEFT JOIN (SELECT DISTINCT ON (p.position_id) p.position_id, p.market_id, p.side, p.entry_price, p.status,
                  p.created_at, p.realized_pnl, p.execution_mode
           FROM positions p WHERE p.position_id = ANY (p_ids) AND p.row_current_ind
           ORDER BY p.position_id, p.created_at DESC, p.id DESC) cur USING (position_id)
LEFT JOIN (SELECT DISTINCT ON (t.position_id) t.position_id, t.trade_id, t.strategy_id, t.model_id, t.edge_at_execution,
                  t.price, t.quantity
           FROM trades t WHERE t.side = 'buy' AND t.position_id = ANY (p_ids)
           ORDER BY t.position_id, t.created_at, t.trade_id) o USING (position_id)
LEFT JOIN (SELECT t.position_id, sum(t.quantity) FILTER (WHERE t.side = 'buy') AS buy_quantity,
                  sum(t.price * t.quantity) FILTER (WHERE t.side = 'buy') AS buy_cost, count(*) AS fills
           FROM trades t WHERE t.position_id = ANY (p_ids) GROUP BY t.position_id) b USING (position_id)
ON CONFLICT (position_id) DO UPDATE
   SET opened_at = excluded.opened_at, opening_quantity = excluded.opening_quantity,
       opening_trade_id = excluded.opening_trade_id, strategy_id = excluded.strategy_id,
       model_id = excluded.model_id, buy_quantity = excluded.buy_quantity, buy_cost = excluded.buy_cost,
       fills = excluded.fills, market_id = excluded.market_id, side = excluded.side,
       entry_price = excluded.entry_price, status = excluded.status, status_since = excluded.status_since,
       realized_pnl = excluded.realized_pnl, execution_mode = excluded.execution_mode,
       edge_at_execution = excluded.edge_at_execution, opening_cost = excluded.opening_cost,
       updated_at = excluded.updated_at
$$;
REVOKE EXECUTE ON FUNCTION position_facts_recompute(int[]) FROM PUBLIC;

-- Positions get new rows and current rows change in place (quantity and created_at included);
-- trades are append-only. Transition tables make one recompute per statement. ENABLE ALWAYS: bulk
-- loads that switch row triggers off (session_replication_role = replica) keep the facts too.
CREATE OR REPLACE FUNCTION position_facts_after_write() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    PERFORM position_facts_recompute(ARRAY(SELECT DISTINCT position_id FROM changed_rows
                                           WHERE position_id IS NOT NULL));
    RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER positions_facts_insert AFTER INSERT ON positions
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION position_facts_after_write();
CREATE OR REPLACE TRIGGER positions_facts_update AFTER UPDATE ON positions
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION position_facts_after_write();
CREATE OR REPLACE TRIGGER positions_facts_delete AFTER DELETE ON positions
    REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION position_facts_after_write();
CREATE OR REPLACE TRIGGER trades_facts_insert AFTER INSERT ON trades
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION position_facts_after_write();
ALTER TABLE positions ENABLE ALWAYS TRIGGER positions_facts_insert;
ALTER TABLE positions ENABLE ALWAYS TRIGGER positions_facts_update;
ALTER TABLE positions ENABLE ALWAYS TRIGGER positions_facts_delete;
ALTER TABLE trades ENABLE ALWAYS TRIGGER trades_facts_insert;

-- How each market that is no longer open closed, kept by the writers of markets (A/B CLV, exits
-- regret): its latest row's status and settlement value, and the last prices quoted while it was
-- open (the closing line). A market's rows are price updates, so finding these per position at
-- page time meant two probes of 5M market rows per position. One row per market whose latest
-- row (by created_at, id) is not open; a market that reopens loses its row.
CREATE TABLE IF NOT EXISTS market_closes (
    market_id        VARCHAR PRIMARY KEY,
    status           VARCHAR NOT NULL,
    settlement_value DECIMAL(10,4),
    closed_at        TIMESTAMP NOT NULL,     -- the latest row's created_at
    closing_yes_price DECIMAL(10,4),         -- NULL when the market was never quoted open
    closing_no_price  DECIMAL(10,4),
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS idx_market_closes_updated ON market_closes(updated_at);

CREATE OR REPLACE FUNCTION market_closes_recompute(p_ids varchar[]) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
SELECT summary_lock('market_closes', p_ids::text[]);
WITH latest AS (
    SELECT l.* FROM unnest(p_ids) AS k(market_id)
    CROSS JOIN LATERAL (SELECT m.market_id, m.status, m.settlement_value, m.created_at FROM markets m
                        WHERE m.market_id = k.market_id ORDER BY m.created_at DESC, m.id DESC LIMIT 1) l
),
gone AS (
    DELETE FROM market_closes c
     WHERE c.market_id = ANY (p_ids)
       AND NOT EXISTS (SELECT 1 FROM latest l WHERE l.market_id = c.market_id AND l.status <> 'open')
)
INSERT INTO market_closes AS c (market_id, status, settlement_value, closed_at, closing_yes_price, closing_no_price)
SELECT l.market_id, l.status, l.settlement_value, l.created_at, o.yes_price, o.no_price
FROM latest l
LEFT JOIN LATERAL (SELECT m.yes_price, m.no_price FROM markets m
                   WHERE m.market_id = l.market_id AND m.status = 'open'
                   ORDER BY m.created_at DESC, m.id DESC LIMIT 1) o ON true
WHERE l.status <> 'open'
ON CONFLICT (market_id) DO UPDATE
   SET status = excluded.status, settlement_value = excluded.settlement_value, closed_at = excluded.closed_at,
       closing_yes_price = excluded.closing_yes_price, closing_no_price = excluded.closing_no_price, updated_at = now()
$$;
REVOKE EXECUTE ON FUNCTION market_closes_recompute(varchar[]) FROM PUBLIC;

-- Only rows that can change a close: a row that is not open, or any row of a market already
-- closed (a late price, a reopening, a deleted history row). Plain price updates of open markets
-- -- nearly every markets write -- cost one filter over the statement's rows.
-- The statement's markets are locked BEFORE that filter: a writer whose filter looked at
-- market_closes without the lock could miss another transaction's close that is not committed
-- yet, while that transaction's recompute cannot see this one's rows (a late quote would never
-- reach the closing line). Locks are taken in one order for every writer, edge decay before
-- market closes before the exits summaries (which market_closes' own triggers recompute), so two
-- writers cannot deadlock on them.
CREATE OR REPLACE FUNCTION market_closes_after_write() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    touched varchar[];
    affected varchar[];
BEGIN
    touched := ARRAY(SELECT DISTINCT r.market_id FROM changed_rows r);
    PERFORM summary_lock('edge_decay_facts', touched::text[]);
    PERFORM summary_lock('market_closes', touched::text[]);
    affected := ARRAY(
        SELECT DISTINCT r.market_id FROM changed_rows r
         WHERE r.status <> 'open'
            OR EXISTS (SELECT 1 FROM market_closes c WHERE c.market_id = r.market_id));
    PERFORM edge_decay_recompute(affected);  -- "Edge decay" below: a close fixes each trade's edge at close
    PERFORM market_closes_recompute(affected);
    RETURN NULL;
END $$;
REVOKE EXECUTE ON FUNCTION market_closes_after_write() FROM PUBLIC;
CREATE OR REPLACE TRIGGER markets_closes_insert AFTER INSERT ON markets
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION market_closes_after_write();
CREATE OR REPLACE TRIGGER markets_closes_update AFTER UPDATE ON markets
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION market_closes_after_write();
ALTER TABLE markets ENABLE ALWAYS TRIGGER markets_closes_insert;
CREATE OR REPLACE TRIGGER markets_closes_delete AFTER DELETE ON markets
    REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION market_closes_after_write();
ALTER TABLE markets ENABLE ALWAYS TRIGGER markets_closes_update;
ALTER TABLE markets ENABLE ALWAYS TRIGGER markets_closes_delete;

-- Edge decay (edges page): for every entry trade (a buy with the edge that triggered it) on a
-- market that is no longer open, the edge at entry and the edge at the market's close, kept by
-- the writers of trades, markets (through market_closes_after_write above), edges and events.
-- At page time this was two probes of the 11.7M-row edges table per trade (2.7 s for all time).
--   closed_at: the event's scheduled end (events.end_time), else the valid-from of the market's
--     current row (the moment it stopped being open).
--   close_edge: the newest edge of the same market x strategy x model at or before the close.
--   sport, platform_id: the event's subcategory (else category) and the current market row's
--     platform, for the page's filters.
CREATE TABLE IF NOT EXISTS edge_decay_facts (
    trade_id    INT PRIMARY KEY,
    entered_at  TIMESTAMP NOT NULL,
    market_id   VARCHAR NOT NULL,
    strategy_id INT,
    model_id    INT,
    sport       VARCHAR,
    platform_id VARCHAR,
    entry_edge  DECIMAL(10,4),
    closed_at   TIMESTAMP NOT NULL,
    close_edge  DECIMAL(10,4),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS idx_edge_decay_facts_entered ON edge_decay_facts(entered_at);
CREATE INDEX IF NOT EXISTS idx_edge_decay_facts_market ON edge_decay_facts(market_id);
CREATE INDEX IF NOT EXISTS idx_edge_decay_facts_updated ON edge_decay_facts(updated_at);
-- the close edge: newest of a market x strategy x model at or before a time
CREATE INDEX IF NOT EXISTS idx_edges_market_key_created ON edges(market_id, strategy_id, model_id, created_at, edge_id);

CREATE OR REPLACE FUNCTION edge_decay_recompute(p_market_ids varchar[]) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
SELECT summary_lock('edge_decay_facts', p_market_ids::text[]);
DELETE FROM edge_decay_facts d WHERE d.market_id = ANY (p_market_ids);
INSERT INTO edge_decay_facts (trade_id, entered_at, market_id, strategy_id, model_id, sport, platform_id,
                              entry_edge, closed_at, close_edge)
SELECT t.trade_id, t.created_at, t.market_id, e0.strategy_id, e0.model_id, coalesce(ev.subcategory, ev.category),
       m.platform_id, e0.expected_value, coalesce(ev.end_time, m.created_at),
       (SELECT e1.expected_value FROM edges e1
         WHERE e1.market_id = t.market_id
           AND e1.strategy_id IS NOT DISTINCT FROM e0.strategy_id
           AND e1.model_id IS NOT DISTINCT FROM e0.model_id
           AND e1.created_at <= coalesce(ev.end_time, m.created_at)
         ORDER BY e1.created_at DESC, e1.edge_id DESC LIMIT 1)
FROM trades t
JOIN LATERAL (SELECT c.platform_id, c.event_id, c.created_at, c.status FROM markets c
              WHERE c.market_id = t.market_id AND c.row_current_ind
              ORDER BY c.created_at DESC, c.id DESC LIMIT 1) m ON m.status <> 'open'
JOIN edges e0 ON e0.edge_id = t.edge_id
LEFT JOIN events ev ON ev.event_id = m.event_id
WHERE t.market_id = ANY (p_market_ids) AND t.side = 'buy' AND t.edge_id IS NOT NULL
$$;
REVOKE EXECUTE ON FUNCTION edge_decay_recompute(varchar[]) FROM PUBLIC;

-- New entries on closed markets (rare: most are bought while open, and counted at the close).
CREATE OR REPLACE FUNCTION edge_decay_after_trades() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    -- locked before the filter reads market_closes (see market_closes_after_write)
    PERFORM summary_lock('edge_decay_facts', ARRAY(
        SELECT DISTINCT r.market_id::text FROM changed_rows r WHERE r.side = 'buy' AND r.edge_id IS NOT NULL));
    PERFORM edge_decay_recompute(ARRAY(
        SELECT DISTINCT r.market_id FROM changed_rows r
         WHERE r.side = 'buy' AND r.edge_id IS NOT NULL
           AND EXISTS (SELECT 1 FROM market_closes c WHERE c.market_id = r.market_id)));
    RETURN NULL;
END $$;
REVOKE EXECUTE ON FUNCTION edge_decay_after_trades() FROM PUBLIC;
CREATE OR REPLACE TRIGGER trades_edge_decay_insert AFTER INSERT ON trades
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION edge_decay_after_trades();
ALTER TABLE trades ENABLE ALWAYS TRIGGER trades_edge_decay_insert;

-- An edge of a closed market written late, changed in place or deleted can change the edge at
-- entry or at close.
CREATE OR REPLACE FUNCTION edge_decay_after_edges() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    -- locked before the filter reads market_closes (see market_closes_after_write)
    PERFORM summary_lock('edge_decay_facts', ARRAY(SELECT DISTINCT r.market_id::text FROM changed_rows r));
    PERFORM edge_decay_recompute(ARRAY(
        SELECT DISTINCT r.market_id FROM changed_rows r JOIN market_closes c ON c.market_id = r.market_id));
    RETURN NULL;
END $$;
REVOKE EXECUTE ON FUNCTION edge_decay_after_edges() FROM PUBLIC;
CREATE OR REPLACE TRIGGER edges_edge_decay_insert AFTER INSERT ON edges
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION edge_decay_after_edges();
CREATE OR REPLACE TRIGGER edges_edge_decay_update AFTER UPDATE ON edges
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION edge_decay_after_edges();
CREATE OR REPLACE TRIGGER edges_edge_decay_delete AFTER DELETE ON edges
    REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION edge_decay_after_edges();
ALTER TABLE edges ENABLE ALWAYS TRIGGER edges_edge_decay_insert;
ALTER TABLE edges ENABLE ALWAYS TRIGGER edges_edge_decay_update;
ALTER TABLE edges ENABLE ALWAYS TRIGGER edges_edge_decay_delete;

-- A rescheduled or recategorized event moves its markets' close or sport.
CREATE OR REPLACE FUNCTION edge_decay_after_events() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    PERFORM edge_decay_recompute(ARRAY(
        SELECT DISTINCT m.market_id
        FROM new_rows n JOIN old_rows o ON o.event_id = n.event_id
        JOIN markets m ON m.event_id = n.event_id AND m.row_current_ind
        WHERE (n.end_time, n.category, n.subcategory) IS DISTINCT FROM (o.end_time, o.category, o.subcategory)
          AND EXISTS (SELECT 1 FROM market_closes c WHERE c.market_id = m.market_id)));
    RETURN NULL;
END $$;
REVOKE EXECUTE ON FUNCTION edge_decay_after_events() FROM PUBLIC;
CREATE OR REPLACE TRIGGER events_edge_decay_update AFTER UPDATE ON events
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION edge_decay_after_events();
ALTER TABLE events ENABLE ALWAYS TRIGGER events_edge_decay_update;

-- One row per position (exits page): its current state with what it opened with (the first
-- row's quantity and time) and the versions behind it (the opening buy's strategy and model).
CREATE OR REPLACE VIEW position_summary AS
SELECT cur.position_id, cur.market_id, cur.platform_id, cur.side, cur.entry_price,
       f.opening_quantity, f.opened_at,
       cur.quantity AS current_quantity, cur.status, cur.created_at AS status_since,
       cur.realized_pnl, cur.execution_mode,
       f.opening_trade_id, f.strategy_id, f.model_id
FROM positions cur
JOIN position_facts f ON f.position_id = cur.position_id
WHERE cur.row_current_ind;

-- Exit orders and exits filter (exits page)
-- At ten years (163K exit attempts, 72K exits) the exits page spent its time regrouping every
-- attempt into exit orders (the self-join of exit_attempts_sequenced) and looking up, for every
-- exit, its position's current row, opening and market settlement. Three summaries kept by the
-- writers' own statements (like position_facts above) hold those answers:
--   exit_orders          the rows of view exit_attempt_sequences (the definition), per order;
--   exit_facts           every exit with what its position entered at and opened with, the held
--                        side's settlement value, and its place among the position's exits;
--   exit_position_facts  every position as the exits page filters and checks it: platform and
--                        opening versions, market, side, status, quantities, its exits' totals,
--                        and the reconciliation problems found in it.
-- The page filters them through the *_matching functions at the end of this part.
CREATE TABLE IF NOT EXISTS exit_orders (
    sequence_id        INT PRIMARY KEY,
    position_id        INT NOT NULL,
    exit_condition     VARCHAR(50) NOT NULL,
    priority_level     VARCHAR(20) NOT NULL,
    quantity           INT NOT NULL,
    attempts           BIGINT NOT NULL,
    first_order_type   VARCHAR(20),
    first_limit_price  DECIMAL(10,4),
    lowest_limit_price DECIMAL(10,4),
    first_attempt_at   TIMESTAMP NOT NULL,
    last_attempt_at    TIMESTAMP NOT NULL,
    filled             BOOLEAN NOT NULL,
    filled_at          TIMESTAMP,
    fill_price         DECIMAL(10,4),
    filled_order_type  VARCHAR(20),
    updated_at         TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS idx_exit_orders_position ON exit_orders(position_id);
CREATE INDEX IF NOT EXISTS idx_exit_orders_first_attempt ON exit_orders(first_attempt_at);
CREATE INDEX IF NOT EXISTS idx_exit_orders_never_filled ON exit_orders(first_attempt_at DESC, sequence_id DESC)
    WHERE NOT filled;
CREATE INDEX IF NOT EXISTS idx_exit_orders_updated ON exit_orders(updated_at);

-- A late attempt can extend a run, start one, or split one (a late start takes the attempts after
-- it), so a position's orders are recomputed whole from the view.
CREATE OR REPLACE FUNCTION exit_orders_recompute(p_ids int[]) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
SELECT summary_lock('exit_orders', p_ids::text[]);
DELETE FROM exit_orders o WHERE o.position_id = ANY (p_ids);
INSERT INTO exit_orders (sequence_id, position_id, exit_condition, priority_level, quantity, attempts,
                         first_order_type, first_limit_price, lowest_limit_price, first_attempt_at, last_attempt_at,
                         filled, filled_at, fill_price, filled_order_type)
SELECT s.sequence_id, s.position_id, s.exit_condition, s.priority_level, s.quantity, s.attempts,
       s.first_order_type, s.first_limit_price, s.lowest_limit_price, s.first_attempt_at, s.last_attempt_at,
       s.filled, s.filled_at, s.fill_price, s.filled_order_type
FROM exit_attempt_sequences s
WHERE s.position_id = ANY (p_ids)
$$;
REVOKE EXECUTE ON FUNCTION exit_orders_recompute(int[]) FROM PUBLIC;

-- exit_attempts is append-only (UPDATE, DELETE and TRUNCATE are refused), so inserts are its only change.
CREATE OR REPLACE FUNCTION exit_orders_after_insert() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    PERFORM exit_orders_recompute(ARRAY(SELECT DISTINCT position_id FROM changed_rows));
    PERFORM order_slippage_recompute(ARRAY(SELECT DISTINCT position_id FROM changed_rows));  -- defined below
    RETURN NULL;
END $$;
REVOKE EXECUTE ON FUNCTION exit_orders_after_insert() FROM PUBLIC;
CREATE OR REPLACE TRIGGER exit_attempts_orders_insert AFTER INSERT ON exit_attempts
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION exit_orders_after_insert();
ALTER TABLE exit_attempts ENABLE ALWAYS TRIGGER exit_attempts_orders_insert;

-- What each position is on the exits page: position_summary's row (its newest current row while a
-- transaction swaps rows, as in position_facts_recompute) with its market's current row.
--   held_value: what one contract of the held side paid at settlement (settlement_value for
--     'yes', 1 - settlement_value for 'no'); NULL until the market's current row is settled.
--   market_settled: a settlements row of the market exists, or its current row is settled.
CREATE OR REPLACE FUNCTION exit_positions_now(p_ids int[])
RETURNS TABLE (position_id int, market_id varchar, platform_id varchar, side varchar, entry_price numeric,
               status varchar, current_quantity int, opened_at timestamp, opening_quantity int,
               strategy_id int, model_id int, held_value numeric, market_settled boolean)
LANGUAGE sql STABLE AS $$
SELECT p.position_id, p.market_id, p.platform_id, p.side, p.entry_price, p.status, p.quantity,
       f.opened_at, f.opening_quantity, f.strategy_id, f.model_id,
       CASE WHEN m.status = 'settled' AND m.settlement_value IS NOT NULL THEN
            CASE p.side WHEN 'yes' THEN m.settlement_value ELSE 1 - m.settlement_value END
       END,
       EXISTS (SELECT 1 FROM settlements st WHERE st.market_id = p.market_id) OR coalesce(m.status = 'settled', FALSE)
FROM (SELECT DISTINCT ON (c.position_id) c.* FROM positions c
      WHERE c.position_id = ANY (p_ids) AND c.row_current_ind
      ORDER BY c.position_id, c.created_at DESC, c.id DESC) p
JOIN position_facts f ON f.position_id = p.position_id
LEFT JOIN LATERAL (SELECT mk.status, mk.settlement_value FROM markets mk
                   WHERE mk.market_id = p.market_id AND mk.row_current_ind
                   ORDER BY mk.created_at DESC, mk.id DESC LIMIT 1) m ON true
$$;

CREATE TABLE IF NOT EXISTS exit_facts (
    exit_id          INT PRIMARY KEY,
    position_id      INT NOT NULL,
    created_at       TIMESTAMP NOT NULL,
    exit_condition   VARCHAR(50) NOT NULL,
    exit_priority    VARCHAR(20) NOT NULL,
    quantity_exited  INT NOT NULL,
    exit_price       DECIMAL(10,4) NOT NULL,
    platform_id      VARCHAR,           -- the position's, for the page's filters
    strategy_id      INT,
    model_id         INT,
    entry_price      DECIMAL(10,4) NOT NULL,
    opened_at        TIMESTAMP NOT NULL,
    opening_quantity INT NOT NULL,
    held_value       DECIMAL(10,4),
    pnl              NUMERIC NOT NULL,  -- (exit price - entry price) x quantity, before fees
    exit_return      NUMERIC,           -- (exit price - entry price) / entry price
    held_hours       FLOAT8 NOT NULL,   -- from the position's opening to the exit (see below)
    step             INT NOT NULL,      -- 1, 2, ... among the position's exits (by created_at, exit_id)
    steps            INT NOT NULL,      -- how many exits the position has
    left_after       BIGINT NOT NULL,   -- opening quantity minus the quantity exited up to this step
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS idx_exit_facts_position ON exit_facts(position_id);
CREATE INDEX IF NOT EXISTS idx_exit_facts_created ON exit_facts(created_at);
CREATE INDEX IF NOT EXISTS idx_exit_facts_strategy ON exit_facts(strategy_id);
CREATE INDEX IF NOT EXISTS idx_exit_facts_model ON exit_facts(model_id);
CREATE INDEX IF NOT EXISTS idx_exit_facts_updated ON exit_facts(updated_at);

CREATE TABLE IF NOT EXISTS exit_position_facts (
    position_id      INT PRIMARY KEY,
    market_id        VARCHAR NOT NULL,
    platform_id      VARCHAR,
    side             VARCHAR NOT NULL,
    status           VARCHAR NOT NULL,
    strategy_id      INT,
    model_id         INT,
    opening_quantity INT NOT NULL,
    current_quantity INT NOT NULL,
    exits            BIGINT NOT NULL,
    exited_quantity  BIGINT NOT NULL,
    problems         TEXT[] NOT NULL,   -- reconciliation findings, as sentences; empty when none
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS idx_exit_position_facts_strategy ON exit_position_facts(strategy_id);
CREATE INDEX IF NOT EXISTS idx_exit_position_facts_model ON exit_position_facts(model_id);
CREATE INDEX IF NOT EXISTS idx_exit_position_facts_problems ON exit_position_facts(position_id) WHERE problems <> '{}';
CREATE INDEX IF NOT EXISTS idx_exit_position_facts_updated ON exit_position_facts(updated_at);

-- Both recomputed per position, whole. held_hours is a float8 because its percentiles are
-- (percentile_cont reads float8), and it compares with the page's bucket limits (0.25, 1, 6, 24,
-- 168 hours, exact in binary) as the exact number would: times are in microseconds, so no holding
-- time is closer to a limit than 1 us / 3600 s, far more than a float8's rounding at that size.
-- Reconciliation: the opening quantity (first row) must equal the quantity exited plus the
-- quantity the current row still holds (open: still held; settled: held to settlement; closed:
-- 0); a closed position must have exits; a settled position must have a settlement of its market;
-- an open position must still hold something.
CREATE OR REPLACE FUNCTION exit_facts_recompute(p_ids int[]) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
SELECT summary_lock('exit_facts', p_ids::text[]);
DELETE FROM exit_facts x WHERE x.position_id = ANY (p_ids);
DELETE FROM exit_position_facts c WHERE c.position_id = ANY (p_ids);
INSERT INTO exit_facts (exit_id, position_id, created_at, exit_condition, exit_priority, quantity_exited, exit_price,
                        platform_id, strategy_id, model_id, entry_price, opened_at, opening_quantity, held_value,
                        pnl, exit_return, held_hours, step, steps, left_after)
SELECT pe.exit_id, pe.position_id, pe.created_at, pe.exit_condition, pe.exit_priority, pe.quantity_exited,
       pe.exit_price, ps.platform_id, ps.strategy_id, ps.model_id, ps.entry_price, ps.opened_at,
       ps.opening_quantity, ps.held_value,
       (pe.exit_price - ps.entry_price) * pe.quantity_exited,
       (pe.exit_price - ps.entry_price) / NULLIF(ps.entry_price, 0),
       (extract(epoch FROM pe.created_at - ps.opened_at) / 3600)::float8,
       row_number() OVER w,
       count(*) OVER (PARTITION BY pe.position_id),
       ps.opening_quantity - sum(pe.quantity_exited) OVER w
FROM position_exits pe
-- exit_positions_now() already keeps only p_ids. Repeating `pe.position_id = ANY (p_ids)` here
-- put the array into the index condition of the nested loop's inner scan, which sorted it again
-- for every position: quadratic (44.5K positions: over 240 s; tests/test_recompute_plans.py).
JOIN exit_positions_now(p_ids) ps ON ps.position_id = pe.position_id
WINDOW w AS (PARTITION BY pe.position_id ORDER BY pe.created_at, pe.exit_id ROWS UNBOUNDED PRECEDING);
INSERT INTO exit_position_facts (position_id, market_id, platform_id, side, status, strategy_id, model_id,
                                 opening_quantity, current_quantity, exits, exited_quantity, problems)
SELECT ps.position_id, ps.market_id, ps.platform_id, ps.side, ps.status, ps.strategy_id, ps.model_id,
       ps.opening_quantity, ps.current_quantity, x.exits, x.exited_quantity,
       ARRAY(SELECT p.problem FROM (VALUES
           (x.exited_quantity + ps.current_quantity <> ps.opening_quantity,
            format('Opened with %s, but exits took %s and the current row holds %s (off by %s).',
                   ps.opening_quantity, x.exited_quantity, ps.current_quantity,
                   x.exited_quantity + ps.current_quantity - ps.opening_quantity)),
           (ps.status = 'closed' AND x.exits = 0, 'Closed without any exit.'),
           (ps.status = 'settled' AND NOT ps.market_settled, 'Settled, but its market has no settlement.'),
           (ps.status = 'open' AND ps.current_quantity = 0, 'Open, but holds nothing.')
       ) AS p(found, problem) WHERE p.found)
FROM exit_positions_now(p_ids) ps
CROSS JOIN LATERAL (SELECT count(*) AS exits, coalesce(sum(pe.quantity_exited), 0) AS exited_quantity
                    FROM position_exits pe WHERE pe.position_id = ps.position_id) x
$$;
REVOKE EXECUTE ON FUNCTION exit_facts_recompute(int[]) FROM PUBLIC;

-- Writes that change them: a position's rows (entry, status, quantities, platform), its trades
-- (the opening buy's versions), its exits, and its market's settlement (settlements rows, and the
-- market's current row, seen through market_closes: every write that makes a market's current row
-- settled, changes it, or opens it again writes market_closes). The triggers on positions and
-- trades are named to fire after positions_facts_* and trades_facts_insert (triggers on one event
-- fire in name order), whose position_facts they read.
-- A new position and its market's settlement written at once: the settlement's recompute cannot
-- see the uncommitted position, nor the position's the settlement. Both first lock the market
-- (between position_facts and exit_facts in the lock order), so the later one sees the other.
-- Every write here locks its positions' markets before the positions (exits too): an exit that
-- locked only its position, followed in the same transaction by the position's new row, would
-- take the market after the position while a settlement takes them the other way (a deadlock).
-- exit_facts and the summaries that read it (order_slippage, exit_excursions: "Execution quality
-- and how far positions ran" below), recomputed for the same positions in that order. PL/pgSQL, so
-- that it may name the followers' functions, which are defined further down.
CREATE OR REPLACE FUNCTION exit_facts_and_followers(p_ids int[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    PERFORM exit_facts_recompute(p_ids);
    PERFORM order_slippage_recompute(p_ids);
    PERFORM exit_excursions_recompute(p_ids);
END $$;
REVOKE EXECUTE ON FUNCTION exit_facts_and_followers(int[]) FROM PUBLIC;

CREATE OR REPLACE FUNCTION exit_facts_after_position_write() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF TG_TABLE_NAME IN ('positions', 'trades') THEN
        PERFORM summary_lock('exit_facts_market', ARRAY(SELECT DISTINCT market_id::text FROM changed_rows));
    ELSE
        PERFORM summary_lock('exit_facts_market', ARRAY(
            SELECT DISTINCT p.market_id::text FROM positions p
            WHERE p.position_id IN (SELECT position_id FROM changed_rows)));
    END IF;
    PERFORM exit_facts_and_followers(ARRAY(SELECT DISTINCT position_id FROM changed_rows WHERE position_id IS NOT NULL));
    RETURN NULL;
END $$;
REVOKE EXECUTE ON FUNCTION exit_facts_after_position_write() FROM PUBLIC;
CREATE OR REPLACE FUNCTION exit_facts_after_market_write() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    PERFORM summary_lock('exit_facts_market', ARRAY(SELECT DISTINCT market_id::text FROM changed_rows));
    PERFORM exit_facts_and_followers(ARRAY(SELECT DISTINCT p.position_id FROM positions p
                                           WHERE p.market_id IN (SELECT market_id FROM changed_rows)));
    RETURN NULL;
END $$;
REVOKE EXECUTE ON FUNCTION exit_facts_after_market_write() FROM PUBLIC;
-- market_closes is rewritten whole for every write to a closed market (a late open quote moves
-- the closing line): only a changed status or settlement value changes the exit facts; any write
-- may change exit_excursions (a late quote after an exit).
CREATE OR REPLACE FUNCTION exit_facts_after_market_close_update() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    PERFORM summary_lock('exit_facts_market', ARRAY(SELECT DISTINCT market_id::text FROM new_rows));
    PERFORM exit_facts_and_followers(ARRAY(
        SELECT DISTINCT p.position_id FROM positions p
        WHERE p.market_id IN (SELECT n.market_id FROM new_rows n JOIN old_rows o ON o.market_id = n.market_id
                              WHERE (n.status, n.settlement_value) IS DISTINCT FROM (o.status, o.settlement_value))));
    -- any other write to a closed market (a late quote) can move what its exits' contracts fetched afterwards
    PERFORM exit_excursions_recompute(ARRAY(
        SELECT DISTINCT p.position_id FROM positions p
        WHERE p.market_id IN (SELECT n.market_id FROM new_rows n JOIN old_rows o ON o.market_id = n.market_id
                              WHERE (n.status, n.settlement_value) IS NOT DISTINCT FROM (o.status, o.settlement_value))));
    RETURN NULL;
END $$;
REVOKE EXECUTE ON FUNCTION exit_facts_after_market_close_update() FROM PUBLIC;
CREATE OR REPLACE TRIGGER positions_then_exit_facts_insert AFTER INSERT ON positions
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION exit_facts_after_position_write();
CREATE OR REPLACE TRIGGER positions_then_exit_facts_update AFTER UPDATE ON positions
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION exit_facts_after_position_write();
CREATE OR REPLACE TRIGGER positions_then_exit_facts_delete AFTER DELETE ON positions
    REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION exit_facts_after_position_write();
CREATE OR REPLACE TRIGGER trades_then_exit_facts_insert AFTER INSERT ON trades
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION exit_facts_after_position_write();
CREATE OR REPLACE TRIGGER position_exits_exit_facts_insert AFTER INSERT ON position_exits
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION exit_facts_after_position_write();
CREATE OR REPLACE TRIGGER settlements_exit_facts_insert AFTER INSERT ON settlements
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION exit_facts_after_market_write();
CREATE OR REPLACE TRIGGER market_closes_exit_facts_insert AFTER INSERT ON market_closes
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION exit_facts_after_market_write();
CREATE OR REPLACE TRIGGER market_closes_exit_facts_update AFTER UPDATE ON market_closes
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION exit_facts_after_market_close_update();
CREATE OR REPLACE TRIGGER market_closes_exit_facts_delete AFTER DELETE ON market_closes
    REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION exit_facts_after_market_write();
ALTER TABLE positions ENABLE ALWAYS TRIGGER positions_then_exit_facts_insert;
ALTER TABLE positions ENABLE ALWAYS TRIGGER positions_then_exit_facts_update;
ALTER TABLE positions ENABLE ALWAYS TRIGGER positions_then_exit_facts_delete;
ALTER TABLE trades ENABLE ALWAYS TRIGGER trades_then_exit_facts_insert;
ALTER TABLE position_exits ENABLE ALWAYS TRIGGER position_exits_exit_facts_insert;
ALTER TABLE settlements ENABLE ALWAYS TRIGGER settlements_exit_facts_insert;
ALTER TABLE market_closes ENABLE ALWAYS TRIGGER market_closes_exit_facts_insert;
ALTER TABLE market_closes ENABLE ALWAYS TRIGGER market_closes_exit_facts_update;
ALTER TABLE market_closes ENABLE ALWAYS TRIGGER market_closes_exit_facts_delete;

-- ---------------------------------------------------------------------------------------------
-- Execution quality and how far positions ran (Position exits, Trade attribution; issue #24)
-- ---------------------------------------------------------------------------------------------
-- order_slippage: every order against the price it was decided at, one row per order, kept with
-- exit_facts (exit_facts_and_followers above) and exit_orders (exit_orders_after_insert).
--   entry: a buy trade of a position with the edge that triggered it (trades.edge_id). The
--     decision price is the held contract's price on that edge: edges.market_price (the YES
--     price) for a YES position; for a NO position the NO price of the quote the edge was computed
--     on (open_quote_at the edge's created_at). The fill is the trade's price.
--   exit: an exit order (a run of attempts, exit_orders). The decision price is the held
--     contract's quote in force when its first attempt was placed (open_quote_at; the exit
--     condition had just triggered); the fill is the attempt that filled, NULL when none did.
-- Strategy and model versions: the entry trade's own; for an exit, the position's opening buy's.
-- Slippage per contract, positive = a cost to us: fill - decision for a buy, decision - fill for
-- a sell (computed by the readers). The definition is the view; the table is its rows.
-- The quote in force at a moment: a market's last row with status 'open' at or before p_at (by
-- created_at, id), as one probe of idx_markets_history. A plain SQL function, inlined into the views
-- below (a view may not hold ORDER BY; a function may).
CREATE OR REPLACE FUNCTION open_quote_at(p_market_id varchar, p_at timestamp)
RETURNS TABLE (yes_price numeric, no_price numeric) LANGUAGE sql STABLE AS $$
SELECT m.yes_price, m.no_price FROM public.markets m
WHERE m.market_id = p_market_id AND m.created_at <= p_at AND m.status = 'open'
ORDER BY m.created_at DESC, m.id DESC LIMIT 1
$$;

CREATE OR REPLACE VIEW order_slippage_definition AS
SELECT 'entry'::varchar AS order_kind, t.trade_id AS order_key, t.position_id, p.market_id, p.side, t.platform_id,
       t.strategy_id, t.model_id, t.order_type, NULL::varchar AS exit_priority, NULL::varchar AS exit_condition,
       t.created_at AS decided_at,
       CASE p.side WHEN 'no' THEN q.no_price ELSE e.market_price END AS decision_price,
       t.price AS fill_price, t.quantity
FROM trades t
JOIN exit_position_facts p ON p.position_id = t.position_id
JOIN edges e ON e.edge_id = t.edge_id
LEFT JOIN LATERAL open_quote_at(e.market_id, e.created_at) q ON p.side = 'no'
WHERE t.side = 'buy'
UNION ALL
SELECT 'exit'::varchar, o.sequence_id, o.position_id, p.market_id, p.side, p.platform_id, p.strategy_id, p.model_id,
       o.first_order_type, o.priority_level, o.exit_condition, o.first_attempt_at,
       CASE p.side WHEN 'no' THEN q.no_price ELSE q.yes_price END,
       o.fill_price, o.quantity
FROM exit_orders o
JOIN exit_position_facts p ON p.position_id = o.position_id
LEFT JOIN LATERAL open_quote_at(p.market_id, o.first_attempt_at) q ON true;

CREATE TABLE IF NOT EXISTS order_slippage (
    order_kind     VARCHAR NOT NULL,        -- 'entry' (order_key = trade_id) or 'exit' (= exit_orders.sequence_id)
    order_key      INT NOT NULL,
    position_id    INT NOT NULL,
    market_id      VARCHAR NOT NULL,
    side           VARCHAR NOT NULL,
    platform_id    VARCHAR,
    strategy_id    INT,
    model_id       INT,
    order_type     VARCHAR,
    exit_priority  VARCHAR,
    exit_condition VARCHAR,
    decided_at     TIMESTAMP NOT NULL,
    decision_price DECIMAL(10,4),           -- NULL when no quote was found
    fill_price     DECIMAL(10,4),           -- NULL: the exit order never filled
    quantity       INT NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (order_kind, order_key)
);
CREATE INDEX IF NOT EXISTS idx_order_slippage_position ON order_slippage(position_id);
CREATE INDEX IF NOT EXISTS idx_order_slippage_decided ON order_slippage(decided_at DESC, order_key DESC);
CREATE INDEX IF NOT EXISTS idx_order_slippage_strategy ON order_slippage(strategy_id);
CREATE INDEX IF NOT EXISTS idx_order_slippage_updated ON order_slippage(updated_at);

CREATE OR REPLACE FUNCTION order_slippage_recompute(p_ids int[]) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
SELECT summary_lock('order_slippage', p_ids::text[]);
DELETE FROM order_slippage s WHERE s.position_id = ANY (p_ids);
INSERT INTO order_slippage (order_kind, order_key, position_id, market_id, side, platform_id, strategy_id, model_id,
                            order_type, exit_priority, exit_condition, decided_at, decision_price, fill_price, quantity)
SELECT d.order_kind, d.order_key, d.position_id, d.market_id, d.side, d.platform_id, d.strategy_id, d.model_id,
       d.order_type, d.exit_priority, d.exit_condition, d.decided_at, d.decision_price, d.fill_price, d.quantity
FROM order_slippage_definition d
WHERE d.position_id = ANY (p_ids)
$$;
REVOKE EXECUTE ON FUNCTION order_slippage_recompute(int[]) FROM PUBLIC;

-- exit_excursions: how far each exit's position ran while it was held, one row per exit, kept with
-- exit_facts (exit_facts_and_followers above). Prices are the held contract's quotes while its
-- market was open (rows of markets with status 'open'): the one in force at the opening and every
-- later one up to the exit. A partial exit's window runs from the opening to that exit, and its
-- reference stays the entry price: a later exit of the same position has a longer window.
--   worst_price / best_price: the lowest / highest of those quotes, the entry price and the exit
--     price (prices we traded at), so MAE = worst - entry <= 0 <= MFE = best - entry.
--   best_after: once the market is no longer open (market_closes), the best the exited contracts
--     could have fetched afterwards: the highest quote after the exit while the market was open, or
--     what the held side paid at settlement, whichever is higher; NULL while the market is open.
-- A quote written late (after an exit of its time, before the market closes) is counted when the
-- market closes (the close recomputes every position of the market).
CREATE OR REPLACE VIEW exit_excursions_definition AS
SELECT x.exit_id, x.position_id, x.created_at, x.exit_condition, x.exit_priority, x.platform_id, x.strategy_id,
       x.model_id, p.side, x.entry_price, x.exit_price, x.quantity_exited, x.step, x.steps,
       least(x.entry_price, x.exit_price, w.low) AS worst_price,
       greatest(x.entry_price, x.exit_price, w.high) AS best_price,
       c.closed_at AS market_closed_at,
       CASE WHEN c.market_id IS NOT NULL THEN greatest(a.high, x.held_value) END AS best_after
FROM exit_facts x
JOIN exit_position_facts p ON p.position_id = x.position_id
CROSS JOIN LATERAL (
    SELECT min(q.price) AS low, max(q.price) AS high
    FROM (SELECT CASE p.side WHEN 'no' THEN m.no_price ELSE m.yes_price END AS price
          FROM markets m
          WHERE m.market_id = p.market_id AND m.created_at > x.opened_at AND m.created_at <= x.created_at
            AND m.status = 'open'
          UNION ALL
          SELECT CASE p.side WHEN 'no' THEN o.no_price ELSE o.yes_price END
          FROM open_quote_at(p.market_id, x.opened_at) o) q
) w
LEFT JOIN market_closes c ON c.market_id = p.market_id
LEFT JOIN LATERAL (
    SELECT max(CASE p.side WHEN 'no' THEN m.no_price ELSE m.yes_price END) AS high
    FROM markets m
    WHERE m.market_id = p.market_id AND m.created_at > x.created_at AND m.created_at <= c.closed_at
      AND m.status = 'open'
) a ON true;

CREATE TABLE IF NOT EXISTS exit_excursions (
    exit_id          INT PRIMARY KEY,
    position_id      INT NOT NULL,
    created_at       TIMESTAMP NOT NULL,
    exit_condition   VARCHAR(50) NOT NULL,
    exit_priority    VARCHAR(20) NOT NULL,
    platform_id      VARCHAR,
    strategy_id      INT,
    model_id         INT,
    side             VARCHAR NOT NULL,
    entry_price      DECIMAL(10,4) NOT NULL,
    exit_price       DECIMAL(10,4) NOT NULL,
    quantity_exited  INT NOT NULL,
    step             INT NOT NULL,
    steps            INT NOT NULL,
    worst_price      DECIMAL(10,4) NOT NULL,
    best_price       DECIMAL(10,4) NOT NULL,
    market_closed_at TIMESTAMP,
    best_after       DECIMAL(10,4),
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS idx_exit_excursions_position ON exit_excursions(position_id);
CREATE INDEX IF NOT EXISTS idx_exit_excursions_created ON exit_excursions(created_at DESC, exit_id DESC);
CREATE INDEX IF NOT EXISTS idx_exit_excursions_strategy ON exit_excursions(strategy_id);
CREATE INDEX IF NOT EXISTS idx_exit_excursions_updated ON exit_excursions(updated_at);

CREATE OR REPLACE FUNCTION exit_excursions_recompute(p_ids int[]) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
SELECT summary_lock('exit_excursions', p_ids::text[]);
DELETE FROM exit_excursions x WHERE x.position_id = ANY (p_ids);
INSERT INTO exit_excursions (exit_id, position_id, created_at, exit_condition, exit_priority, platform_id, strategy_id,
                             model_id, side, entry_price, exit_price, quantity_exited, step, steps, worst_price,
                             best_price, market_closed_at, best_after)
SELECT d.exit_id, d.position_id, d.created_at, d.exit_condition, d.exit_priority, d.platform_id, d.strategy_id,
       d.model_id, d.side, d.entry_price, d.exit_price, d.quantity_exited, d.step, d.steps, d.worst_price,
       d.best_price, d.market_closed_at, d.best_after
FROM exit_excursions_definition d
WHERE d.position_id = ANY (p_ids)
$$;
REVOKE EXECUTE ON FUNCTION exit_excursions_recompute(int[]) FROM PUBLIC;

-- Open positions (the exits page's monitor; the overview): as with markets below, per-column
-- statistics cannot tell that almost every positions row with status 'open' is a history row, so
-- the planner expected most current rows to be open and read them all; the pair's statistics and
-- a partial index of the few open positions let it start from those.
CREATE STATISTICS IF NOT EXISTS positions_current_status (mcv) ON row_current_ind, status FROM positions;
CREATE INDEX IF NOT EXISTS idx_positions_open_current ON positions(position_id) WHERE row_current_ind AND status = 'open';

-- The exits page's filter, written once (plain LANGUAGE sql STABLE functions without a SET
-- clause, so the planner inlines them like trades_matching above). NULL = any.
-- Positions by platform and the opening buy's strategy and model versions.
CREATE OR REPLACE FUNCTION exit_positions_matching(p_platform text, p_strategy_id int, p_model_id int)
RETURNS SETOF exit_position_facts LANGUAGE sql STABLE AS $$
SELECT c.*
FROM public.exit_position_facts c
WHERE (p_platform IS NULL OR c.platform_id = p_platform)
  AND (p_strategy_id IS NULL OR c.strategy_id = p_strategy_id)
  AND (p_model_id IS NULL OR c.model_id = p_model_id)
$$;

-- Exits made in [p_since, p_until) by a matching position, with the condition and priority given
-- (each exit carries its position's platform and versions: filtered by index like the position's).
CREATE OR REPLACE FUNCTION exits_matching(p_since timestamp, p_until timestamp, p_platform text, p_strategy_id int,
                                          p_model_id int, p_exit_condition text, p_priority text)
RETURNS SETOF exit_facts LANGUAGE sql STABLE AS $$
SELECT x.*
FROM public.exit_facts x
WHERE (p_since IS NULL OR x.created_at >= p_since)
  AND (p_until IS NULL OR x.created_at < p_until)
  AND (p_platform IS NULL OR x.platform_id = p_platform)
  AND (p_strategy_id IS NULL OR x.strategy_id = p_strategy_id)
  AND (p_model_id IS NULL OR x.model_id = p_model_id)
  AND (p_exit_condition IS NULL OR x.exit_condition = p_exit_condition)
  AND (p_priority IS NULL OR x.exit_priority = p_priority)
$$;

-- Exit orders whose first attempt is in [p_since, p_until), of a matching position, with the
-- condition and priority given. Every order and attempt has a position (trigger fk_position),
-- so with no position filter the position test is dropped when the planner folds the NULLs.
CREATE OR REPLACE FUNCTION exit_orders_matching(p_since timestamp, p_until timestamp, p_platform text,
                                                p_strategy_id int, p_model_id int, p_exit_condition text,
                                                p_priority text)
RETURNS SETOF exit_orders LANGUAGE sql STABLE AS $$
SELECT o.*
FROM public.exit_orders o
WHERE (p_since IS NULL OR o.first_attempt_at >= p_since)
  AND (p_until IS NULL OR o.first_attempt_at < p_until)
  AND (p_exit_condition IS NULL OR o.exit_condition = p_exit_condition)
  AND (p_priority IS NULL OR o.priority_level = p_priority)
  AND ((p_platform IS NULL AND p_strategy_id IS NULL AND p_model_id IS NULL)
       OR o.position_id IN (SELECT c.position_id FROM public.exit_positions_matching(p_platform, p_strategy_id, p_model_id) c))
$$;

-- Exit attempts placed in [p_since, p_until), the same way.
CREATE OR REPLACE FUNCTION exit_attempts_matching(p_since timestamp, p_until timestamp, p_platform text,
                                                  p_strategy_id int, p_model_id int, p_exit_condition text,
                                                  p_priority text)
RETURNS SETOF exit_attempts LANGUAGE sql STABLE AS $$
SELECT a.*
FROM public.exit_attempts a
WHERE (p_since IS NULL OR a.created_at >= p_since)
  AND (p_until IS NULL OR a.created_at < p_until)
  AND (p_exit_condition IS NULL OR a.exit_condition = p_exit_condition)
  AND (p_priority IS NULL OR a.priority_level = p_priority)
  AND ((p_platform IS NULL AND p_strategy_id IS NULL AND p_model_id IS NULL)
       OR a.position_id IN (SELECT c.position_id FROM public.exit_positions_matching(p_platform, p_strategy_id, p_model_id) c))
$$;

-- ab_closed_positions: see "Strategy A/B" above for what it returns. One index range of the
-- facts (by strategy version and closing time) and one probe of market_closes per position, where
-- it searched every position's trades and twice the market's price history. "Attributed to the
-- first buy among the given versions" is now the position's first buy, as everywhere else (the
-- exits page, version_results): a position is opened by one strategy version.
CREATE OR REPLACE FUNCTION ab_closed_positions(p_strategy_ids int[], p_since timestamp, p_until timestamp)
RETURNS TABLE (position_id int, strategy_id int, model_id int, execution_mode varchar, market_id varchar,
               side varchar, entry_price numeric, quantity bigint, cost numeric, realized_pnl numeric,
               ret float8, closed_at timestamp, edge_at_execution numeric, fills bigint, closing_price numeric)
LANGUAGE sql STABLE AS $$
SELECT f.position_id, f.strategy_id, f.model_id, f.execution_mode, f.market_id, f.side, f.entry_price,
       f.buy_quantity, f.buy_cost, f.realized_pnl, (f.realized_pnl / nullif(f.buy_cost, 0))::float8,
       f.status_since, f.edge_at_execution, f.fills,
       CASE f.side WHEN 'no' THEN c.closing_no_price ELSE c.closing_yes_price END
FROM position_facts f
LEFT JOIN market_closes c ON c.market_id = f.market_id
WHERE f.strategy_id = ANY (p_strategy_ids) AND f.status IN ('closed', 'settled')
  AND (p_since IS NULL OR f.status_since >= p_since)
  AND (p_until IS NULL OR f.status_since < p_until)
$$;

-- Current edges: the page starts from the few open markets. The planner cannot tell from
-- per-column statistics that almost every market row with status 'open' is a history row (a
-- market is open for most of its price updates), so it expected most current rows to be open
-- and walked the EV index of every current edge instead. Statistics on the pair give it the
-- real share; the partial index is the short list it then starts from.
CREATE STATISTICS IF NOT EXISTS markets_current_status (mcv) ON row_current_ind, status FROM markets;
CREATE INDEX IF NOT EXISTS idx_markets_open_current ON markets(market_id) WHERE row_current_ind AND status = 'open';

-- ---------------------------------------------------------------------------------------------
-- Calibration points (model versions page)
-- ---------------------------------------------------------------------------------------------
-- What each model version predicted for each settled binary market, kept by the writers of
-- markets and edges, so calibration bins these rows instead of searching the 11.7M-row edges
-- table once per settled market x version at page time (0.3-0.6 s at ten years). One row per
-- model version x market that:
--   * settled: its first row with status 'settled' (by created_at, id) gives settled_at and y,
--     and y (that row's settlement_value) is 0 or 1;
--   * is binary: its current row's market_type is 'binary' or NULL;
--   * has an edge of the version created before settled_at: the last such (by created_at,
--     edge_id) gives p_model (true_win_probability) and p_market (market_implied_probability).
CREATE TABLE IF NOT EXISTS calibration_points (
    model_id   INT NOT NULL,
    market_id  VARCHAR NOT NULL,
    settled_at TIMESTAMP NOT NULL,
    y          DECIMAL(10,4) NOT NULL,
    p_model    DECIMAL(10,4) NOT NULL,
    p_market   DECIMAL(10,4) NOT NULL,
    edge_id    INT NOT NULL,          -- the edge p_model and p_market come from
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (model_id, market_id)
);
CREATE INDEX IF NOT EXISTS idx_calibration_points_market ON calibration_points(market_id);
CREATE INDEX IF NOT EXISTS idx_calibration_points_updated ON calibration_points(updated_at);

-- Recompute every version's point on the given markets (set-based: one call per writing statement).
-- Per market one probe of the settled rows and one of the edges index per model version.
CREATE OR REPLACE FUNCTION calibration_points_recompute(p_market_ids varchar[]) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
SELECT summary_lock('calibration_points', p_market_ids::text[]);
WITH settled AS (
    SELECT s.market_id, s.created_at AS settled_at, s.settlement_value AS y
    FROM (SELECT DISTINCT k.market_id FROM unnest(p_market_ids) AS k(market_id)) k
    CROSS JOIN LATERAL (SELECT m.market_id, m.created_at, m.settlement_value FROM markets m
                        WHERE m.market_id = k.market_id AND m.status = 'settled'
                        ORDER BY m.created_at, m.id LIMIT 1) s
    WHERE s.settlement_value IN (0, 1)
      AND EXISTS (SELECT 1 FROM markets b WHERE b.market_id = s.market_id AND b.row_current_ind
                  AND coalesce(b.market_type, 'binary') = 'binary')
),
points AS (
    SELECT v.model_id, s.market_id, s.settled_at, s.y, e.true_win_probability, e.market_implied_probability, e.edge_id
    FROM settled s
    CROSS JOIN probability_models v
    CROSS JOIN LATERAL (SELECT e.edge_id, e.true_win_probability, e.market_implied_probability FROM edges e
                        WHERE e.model_id = v.model_id AND e.market_id = s.market_id AND e.created_at < s.settled_at
                        ORDER BY e.created_at DESC, e.edge_id DESC LIMIT 1) e
),
gone AS (
    DELETE FROM calibration_points c
     WHERE c.market_id = ANY (p_market_ids)
       AND NOT EXISTS (SELECT 1 FROM points p WHERE p.model_id = c.model_id AND p.market_id = c.market_id)
)
INSERT INTO calibration_points AS c (model_id, market_id, settled_at, y, p_model, p_market, edge_id, updated_at)
SELECT model_id, market_id, settled_at, y, true_win_probability, market_implied_probability, edge_id, now()
FROM points
ON CONFLICT (model_id, market_id) DO UPDATE
   SET settled_at = excluded.settled_at, y = excluded.y, p_model = excluded.p_model, p_market = excluded.p_market,
       edge_id = excluded.edge_id, updated_at = excluded.updated_at
$$;
REVOKE EXECUTE ON FUNCTION calibration_points_recompute(varchar[]) FROM PUBLIC;

-- Markets: only a settled row, or a current row (its market_type) of a market that has a settled
-- row, can move a point. The price updates of open markets -- nearly every markets write -- cost a
-- filter over the statement's rows and, for a current row, one probe of the small partial index
-- of settled rows. Rows inserted, both sides of an update (a settled row may stop being one), and
-- rows deleted.
CREATE OR REPLACE FUNCTION calibration_points_after_markets() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    affected varchar[];
BEGIN
    -- the statement's markets are locked before the filter reads other rows of markets (see
    -- market_closes_after_write): a settlement not yet committed elsewhere is then waited for
    IF TG_OP = 'UPDATE' THEN
        PERFORM summary_lock('calibration_points', ARRAY(
            SELECT market_id::text FROM old_rows UNION SELECT market_id::text FROM new_rows));
    ELSIF TG_OP <> 'TRUNCATE' THEN
        PERFORM summary_lock('calibration_points', ARRAY(SELECT DISTINCT market_id::text FROM changed_rows));
    END IF;
    IF TG_OP = 'TRUNCATE' THEN
        DELETE FROM calibration_points;
    ELSIF TG_OP = 'UPDATE' THEN
        affected := ARRAY(
            SELECT DISTINCT r.market_id
            FROM (SELECT market_id, status, row_current_ind FROM old_rows
                  UNION ALL SELECT market_id, status, row_current_ind FROM new_rows) r
             WHERE r.status = 'settled'
                OR (r.row_current_ind AND EXISTS (SELECT 1 FROM markets s WHERE s.market_id = r.market_id
                                                                          AND s.status = 'settled')));
    ELSE
        affected := ARRAY(
            SELECT DISTINCT r.market_id FROM changed_rows r
             WHERE r.status = 'settled'
                OR (r.row_current_ind AND EXISTS (SELECT 1 FROM markets s WHERE s.market_id = r.market_id
                                                                          AND s.status = 'settled')));
    END IF;
    IF cardinality(affected) > 0 THEN
        PERFORM calibration_points_recompute(affected);
    END IF;
    RETURN NULL;
END $$;
REVOKE EXECUTE ON FUNCTION calibration_points_after_markets() FROM PUBLIC;

-- Edges: only an edge of a version created before a settled row of its market (an edge written
-- after the market settled, computed before it). The statement's rows are grouped by market
-- first, so a bulk insert costs one probe of the same partial index per market it touches.
CREATE OR REPLACE FUNCTION calibration_points_after_edges() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    affected varchar[];
BEGIN
    -- locked before the settled-row filter (see calibration_points_after_markets)
    IF TG_OP = 'UPDATE' THEN
        PERFORM summary_lock('calibration_points', ARRAY(
            SELECT market_id::text FROM old_rows UNION SELECT market_id::text FROM new_rows));
    ELSIF TG_OP <> 'TRUNCATE' THEN
        PERFORM summary_lock('calibration_points', ARRAY(SELECT DISTINCT market_id::text FROM changed_rows));
    END IF;
    IF TG_OP = 'TRUNCATE' THEN
        DELETE FROM calibration_points;
    ELSIF TG_OP = 'UPDATE' THEN
        affected := ARRAY(
            SELECT r.market_id
            FROM (SELECT u.market_id, min(u.created_at) AS earliest
                  FROM (SELECT market_id, created_at, model_id FROM old_rows
                        UNION ALL SELECT market_id, created_at, model_id FROM new_rows) u
                  WHERE u.model_id IS NOT NULL GROUP BY u.market_id) r
            WHERE EXISTS (SELECT 1 FROM markets s WHERE s.market_id = r.market_id AND s.status = 'settled'
                                                    AND s.created_at > r.earliest));
    ELSE
        affected := ARRAY(
            SELECT r.market_id
            FROM (SELECT market_id, min(created_at) AS earliest FROM changed_rows
                  WHERE model_id IS NOT NULL GROUP BY market_id) r
            WHERE EXISTS (SELECT 1 FROM markets s WHERE s.market_id = r.market_id AND s.status = 'settled'
                                                    AND s.created_at > r.earliest));
    END IF;
    IF cardinality(affected) > 0 THEN
        PERFORM calibration_points_recompute(affected);
    END IF;
    RETURN NULL;
END $$;
REVOKE EXECUTE ON FUNCTION calibration_points_after_edges() FROM PUBLIC;

CREATE OR REPLACE TRIGGER markets_calibration_insert AFTER INSERT ON markets
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION calibration_points_after_markets();
CREATE OR REPLACE TRIGGER markets_calibration_update AFTER UPDATE ON markets
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION calibration_points_after_markets();
CREATE OR REPLACE TRIGGER markets_calibration_delete AFTER DELETE ON markets
    REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION calibration_points_after_markets();
CREATE OR REPLACE TRIGGER markets_calibration_truncate AFTER TRUNCATE ON markets
    FOR EACH STATEMENT EXECUTE FUNCTION calibration_points_after_markets();
CREATE OR REPLACE TRIGGER edges_calibration_insert AFTER INSERT ON edges
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION calibration_points_after_edges();
CREATE OR REPLACE TRIGGER edges_calibration_update AFTER UPDATE ON edges
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION calibration_points_after_edges();
CREATE OR REPLACE TRIGGER edges_calibration_delete AFTER DELETE ON edges
    REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION calibration_points_after_edges();
CREATE OR REPLACE TRIGGER edges_calibration_truncate AFTER TRUNCATE ON edges
    FOR EACH STATEMENT EXECUTE FUNCTION calibration_points_after_edges();
ALTER TABLE markets ENABLE ALWAYS TRIGGER markets_calibration_insert;
ALTER TABLE markets ENABLE ALWAYS TRIGGER markets_calibration_update;
ALTER TABLE markets ENABLE ALWAYS TRIGGER markets_calibration_delete;
ALTER TABLE markets ENABLE ALWAYS TRIGGER markets_calibration_truncate;
ALTER TABLE edges ENABLE ALWAYS TRIGGER edges_calibration_insert;
ALTER TABLE edges ENABLE ALWAYS TRIGGER edges_calibration_update;
ALTER TABLE edges ENABLE ALWAYS TRIGGER edges_calibration_delete;
ALTER TABLE edges ENABLE ALWAYS TRIGGER edges_calibration_truncate;

-- TRUNCATE runs no row triggers, so it empties or recomputes the summaries it feeds here (calibration
-- points handle their own above). Each recompute reads the now empty table and deletes its rows;
-- the order is the lock order (edge decay, market closes, position facts, exits). (edges cannot be
-- truncated: trades reference them by foreign key, and trades cannot be truncated.)
CREATE OR REPLACE FUNCTION summaries_after_truncate() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF TG_TABLE_NAME = 'markets' THEN
        PERFORM edge_decay_recompute(ARRAY(SELECT DISTINCT market_id FROM edge_decay_facts));
        PERFORM market_closes_recompute(ARRAY(SELECT market_id FROM market_closes));  -- and, by its triggers, exits
        -- the quotes the execution ledger and the excursions read, on open markets too
        PERFORM order_slippage_recompute(ARRAY(SELECT DISTINCT position_id FROM order_slippage));
        PERFORM exit_excursions_recompute(ARRAY(SELECT DISTINCT position_id FROM exit_excursions));
    END IF;
    IF TG_TABLE_NAME = 'positions' THEN
        PERFORM position_facts_recompute(ARRAY(SELECT position_id FROM position_facts));
        PERFORM exit_facts_and_followers(ARRAY(SELECT position_id FROM exit_position_facts
                                               UNION SELECT position_id FROM exit_facts
                                               UNION SELECT position_id FROM order_slippage
                                               UNION SELECT position_id FROM exit_excursions));
    END IF;
    RETURN NULL;
END $$;
REVOKE EXECUTE ON FUNCTION summaries_after_truncate() FROM PUBLIC;
CREATE OR REPLACE TRIGGER markets_summaries_truncate AFTER TRUNCATE ON markets
    FOR EACH STATEMENT EXECUTE FUNCTION summaries_after_truncate();
CREATE OR REPLACE TRIGGER positions_summaries_truncate AFTER TRUNCATE ON positions
    FOR EACH STATEMENT EXECUTE FUNCTION summaries_after_truncate();
ALTER TABLE markets ENABLE ALWAYS TRIGGER markets_summaries_truncate;
ALTER TABLE positions ENABLE ALWAYS TRIGGER positions_summaries_truncate;

-- ---------------------------------------------------------------------------------------------
-- Alerts page: the Response metrics tab's window, and alerts by time resolved
-- ---------------------------------------------------------------------------------------------
-- Where the tab's window starts: Monday 00:00 UTC, `p_weeks` weeks before the current week's;
-- -infinity (all history) when p_weeks is NULL. One definition for the tab's statements. Its sums
-- per week are a stored answer (alert_weeks_stored, with the exits page's below).
CREATE OR REPLACE FUNCTION alerts_window_start(p_weeks int) RETURNS timestamp
LANGUAGE sql STABLE AS $$
SELECT CASE WHEN p_weeks IS NULL THEN timestamp '-infinity'
            ELSE date_trunc('week', now() AT TIME ZONE 'UTC') - make_interval(weeks => p_weeks) END
$$;
-- Alerts resolved in a range of time: the daily open-alerts chart (idx_alerts_unresolved holds
-- only the unresolved ones).
CREATE INDEX IF NOT EXISTS idx_alerts_resolved ON alerts(resolved_at) INCLUDE (severity, component, alert_type)
    WHERE resolved_at IS NOT NULL AND NOT suppressed;

-- ---------------------------------------------------------------------------------------------
-- Filling the summaries (a database that has data but not yet, or no longer, their rows)
-- ---------------------------------------------------------------------------------------------
-- One list of what to fill, for two callers. Each row names a summary, the query of its keys, the
-- function that recomputes an array of them (each takes its keys' summary_lock, as the writers'
-- triggers do, so a fill and the trading system's writes take turns per key), and the condition
-- under which a database lacks rows its sources call for. The DO block below fills what is needed
-- in this transaction: a fresh database, a bulk load, a re-apply after an upgrade of ours. The
-- installer (queries/install.py), upgrading a database the trading system writes, sets
-- precog.install_fill = 'deferred' and fills the same list afterwards in batches of keys, each in
-- its own short transaction, so writers are not held up while years of history are summarised.
-- Order matters: a fill fires the triggers of the summaries it writes (market_closes' write
-- exit_facts), and edge decay and exit facts read market_closes. The rows are here, after every
-- summary's functions and triggers above are (re)defined, so a fill never runs the previous
-- version of a function defined further down.
CREATE TABLE IF NOT EXISTS summary_fills (
    ordinal   INT PRIMARY KEY,
    summary   VARCHAR NOT NULL UNIQUE,   -- the table the fill writes
    keys      TEXT NOT NULL,             -- a query of the keys to recompute (one column)
    recompute VARCHAR NOT NULL,          -- a function taking an array of those keys
    needed    TEXT NOT NULL              -- true when the summary lacks rows its sources call for
);
INSERT INTO summary_fills AS f (ordinal, summary, keys, recompute, needed) VALUES
    -- every position (or, from before the current-row columns, facts without them)
    (1, 'position_facts', 'SELECT DISTINCT position_id FROM positions', 'position_facts_recompute',
     '(NOT EXISTS (SELECT 1 FROM position_facts) AND EXISTS (SELECT 1 FROM positions))
      OR EXISTS (SELECT 1 FROM position_facts WHERE status IS NULL OR (opening_cost IS NULL AND opening_trade_id IS NOT NULL))'),
    -- every market that is no longer open
    (2, 'market_closes', 'SELECT market_id FROM markets WHERE row_current_ind AND status <> ''open''',
     'market_closes_recompute',
     'NOT EXISTS (SELECT 1 FROM market_closes) AND EXISTS (SELECT 1 FROM markets WHERE row_current_ind AND status <> ''open'')'),
    -- every entry trade on a market that has closed
    (3, 'edge_decay_facts', 'SELECT market_id FROM market_closes', 'edge_decay_recompute',
     'NOT EXISTS (SELECT 1 FROM edge_decay_facts) AND EXISTS (SELECT 1 FROM market_closes)'),
    -- every run of exit attempts
    (4, 'exit_orders', 'SELECT DISTINCT position_id FROM exit_attempts', 'exit_orders_recompute',
     'NOT EXISTS (SELECT 1 FROM exit_orders) AND EXISTS (SELECT 1 FROM exit_attempts)'),
    -- exit_facts and exit_position_facts: whenever any position lacks its row, not only when the table
    -- is empty (filling market_closes has already written the rows of positions on closed markets)
    (5, 'exit_facts', 'SELECT DISTINCT position_id FROM positions', 'exit_facts_recompute',
     'EXISTS (SELECT 1 FROM positions p WHERE p.row_current_ind
              AND NOT EXISTS (SELECT 1 FROM exit_position_facts f WHERE f.position_id = p.position_id))
      OR (NOT EXISTS (SELECT 1 FROM exit_facts) AND EXISTS (SELECT 1 FROM position_exits))'),
    -- every settled market
    (6, 'calibration_points', 'SELECT DISTINCT market_id FROM markets WHERE status = ''settled''',
     'calibration_points_recompute',
     'NOT EXISTS (SELECT 1 FROM calibration_points) AND EXISTS (SELECT 1 FROM markets WHERE status = ''settled'')'),
    -- every position's orders (after exit_orders and exit_facts, which they read)
    (7, 'order_slippage', 'SELECT DISTINCT position_id FROM trades WHERE position_id IS NOT NULL UNION SELECT position_id FROM exit_orders',
     'order_slippage_recompute',
     -- whenever an order lacks its row (filling market_closes above has already written the rows of
     -- positions on closed markets, before exit_orders was filled)
     'EXISTS (SELECT 1 FROM exit_orders o WHERE NOT EXISTS (SELECT 1 FROM order_slippage s
                                                            WHERE s.order_kind = ''exit'' AND s.order_key = o.sequence_id))
      OR EXISTS (SELECT 1 FROM trades t WHERE t.side = ''buy'' AND t.edge_id IS NOT NULL AND t.position_id IS NOT NULL
                 AND NOT EXISTS (SELECT 1 FROM order_slippage s WHERE s.order_kind = ''entry'' AND s.order_key = t.trade_id))'),
    -- every exit (after exit_facts, which it reads), whenever one lacks its row
    (8, 'exit_excursions', 'SELECT DISTINCT position_id FROM exit_facts', 'exit_excursions_recompute',
     'EXISTS (SELECT 1 FROM exit_facts x WHERE NOT EXISTS (SELECT 1 FROM exit_excursions e WHERE e.exit_id = x.exit_id))')
ON CONFLICT (ordinal) DO UPDATE
   SET summary = excluded.summary, keys = excluded.keys, recompute = excluded.recompute, needed = excluded.needed;

DO $$
DECLARE
    f record;
    is_needed boolean;
BEGIN
    IF current_setting('precog.install_fill', true) = 'deferred' THEN
        RETURN;  -- the installer fills in batches after its transaction
    END IF;
    FOR f IN SELECT * FROM summary_fills ORDER BY ordinal LOOP
        EXECUTE 'SELECT ' || f.needed INTO is_needed;
        IF is_needed THEN
            EXECUTE format('SELECT %I(ARRAY(%s))', f.recompute, f.keys);
        END IF;
    END LOOP;
END $$;

-- ---------------------------------------------------------------------------------------------
-- Exits page: its four aggregates, and their answer without filters stored (and edge decay's)
-- ---------------------------------------------------------------------------------------------
-- The page opens on every exit of all time with no filter. At ten years that is 72K exits and 200K
-- attempts, and exact medians, 90th percentiles and distinct counts over them took 270 ms on every
-- view. So each aggregate is written once, here, as a function: the page's query files call it
-- with their filters (plain SQL functions, inlined like exits_matching, so a filter plans as if
-- written in the file), and its answer without filters is a materialized view of the same
-- function, read by index in well under a millisecond. Tables and functions inside are named with
-- their schema: from PostgreSQL 17 on, a materialized view is built and refreshed with
-- search_path = pg_catalog, pg_temp (schema-qualified names keep the functions inlinable; a SET
-- search_path clause would stop that). refresh_stored_answers() refreshes the views
-- concurrently (readers keep reading the old rows meanwhile) when the last refresh is older than
-- its argument; each dashboard process calls refresh_due_stored_answers() (older than a minute)
-- every 30 s from a background thread (ui/refresher.py), and a cron job may as well. stored_answers says when each view was computed; the page shows it.

CREATE OR REPLACE FUNCTION exits_breakdown(p_since timestamp, p_until timestamp, p_platform text, p_strategy_id int, p_model_id int,
    p_exit_condition text, p_priority text)
RETURNS TABLE (level text, exit_condition varchar, exit_priority varchar, exits bigint, positions bigint, quantity_exited bigint,
    realized_pnl numeric, mean_return numeric, median_holding_hours numeric, p90_holding_hours numeric,
    held_under_15m bigint, held_15m_to_1h bigint, held_1h_to_6h bigint, held_6h_to_24h bigint, held_1d_to_7d bigint,
    held_over_7d bigint, settled_exits bigint, settled_quantity bigint, settled_exit_pnl numeric,
    settled_hold_pnl numeric, saved_by_exiting numeric, exits_that_saved bigint, exits_that_cost bigint)
LANGUAGE sql STABLE AS $$
WITH exits AS (
    SELECT x.exit_condition, x.exit_priority, x.position_id, x.quantity_exited, x.pnl, x.exit_return, x.held_hours,
           x.held_value, x.exit_price, x.entry_price
    FROM public.exits_matching(p_since, p_until, p_platform,
                        p_strategy_id, p_model_id, p_exit_condition,
                        p_priority) x
)
SELECT CASE WHEN GROUPING(exit_condition) = 1 THEN 'total'
            WHEN GROUPING(exit_priority) = 1 THEN 'condition'
            ELSE 'condition_priority' END AS level,
       exit_condition, exit_priority,
       count(*) AS exits,
       count(DISTINCT position_id) AS positions,
       sum(quantity_exited) AS quantity_exited,
       sum(pnl) AS realized_pnl,
       round(avg(exit_return), 4) AS mean_return,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY held_hours)::numeric, 2) AS median_holding_hours,
       round(percentile_cont(0.9) WITHIN GROUP (ORDER BY held_hours)::numeric, 2) AS p90_holding_hours,
       count(*) FILTER (WHERE held_hours < 0.25) AS held_under_15m,
       count(*) FILTER (WHERE held_hours >= 0.25 AND held_hours < 1) AS held_15m_to_1h,
       count(*) FILTER (WHERE held_hours >= 1 AND held_hours < 6) AS held_1h_to_6h,
       count(*) FILTER (WHERE held_hours >= 6 AND held_hours < 24) AS held_6h_to_24h,
       count(*) FILTER (WHERE held_hours >= 24 AND held_hours < 168) AS held_1d_to_7d,
       count(*) FILTER (WHERE held_hours >= 168) AS held_over_7d,
       count(held_value) AS settled_exits,
       coalesce(sum(quantity_exited) FILTER (WHERE held_value IS NOT NULL), 0) AS settled_quantity,
       coalesce(sum(pnl) FILTER (WHERE held_value IS NOT NULL), 0) AS settled_exit_pnl,
       coalesce(sum((held_value - entry_price) * quantity_exited), 0) AS settled_hold_pnl,
       coalesce(sum((exit_price - held_value) * quantity_exited), 0) AS saved_by_exiting,
       count(*) FILTER (WHERE exit_price > held_value) AS exits_that_saved,
       count(*) FILTER (WHERE exit_price < held_value) AS exits_that_cost
FROM exits
GROUP BY GROUPING SETS ((exit_condition, exit_priority), (exit_condition), ())
ORDER BY GROUPING(exit_condition), exit_condition, GROUPING(exit_priority), exit_priority
$$;

CREATE OR REPLACE FUNCTION exits_steps(p_since timestamp, p_until timestamp, p_platform text, p_strategy_id int, p_model_id int,
    p_exit_condition text, p_priority text)
RETURNS TABLE (steps int, step int, positions bigint, quantity numeric, opening_quantity bigint, mean_share numeric)
LANGUAGE sql STABLE AS $$
WITH steps AS NOT MATERIALIZED (  -- read twice below, each time by index or one scan
    SELECT x.steps, x.step, x.quantity_exited, x.left_after, x.opening_quantity
    -- the position of a matching exit passes the position filters, and so do all its exits
    FROM public.exits_matching(NULL, NULL, p_platform, p_strategy_id, p_model_id,
                        NULL, NULL) x
    -- with no filter on the exits themselves, each of those positions has a matching exit
    WHERE (p_since IS NULL AND p_until IS NULL
           AND p_exit_condition IS NULL AND p_priority IS NULL)
       OR x.position_id IN (SELECT m.position_id
                            FROM public.exits_matching(p_since, p_until,
                                                p_platform, p_strategy_id,
                                                p_model_id, p_exit_condition,
                                                p_priority) m)
)
SELECT steps, step, count(*) AS positions, sum(quantity_exited) AS quantity,
       sum(opening_quantity) AS opening_quantity,
       round(avg(quantity_exited::numeric / NULLIF(opening_quantity, 0)), 4) AS mean_share
FROM steps
GROUP BY steps, step
UNION ALL
-- what was left: after each position's last exit
SELECT steps, NULL, count(*), sum(left_after), sum(opening_quantity),
       round(avg(left_after::numeric / NULLIF(opening_quantity, 0)), 4)
FROM steps
WHERE step = steps
GROUP BY steps
ORDER BY steps, step NULLS LAST
$$;

CREATE OR REPLACE FUNCTION exits_walking(p_since timestamp, p_until timestamp, p_platform text, p_strategy_id int, p_model_id int,
    p_exit_condition text, p_priority text)
RETURNS TABLE (priority_level varchar, is_total boolean, exit_orders bigint, filled bigint, never_filled bigint, attempts numeric,
    mean_attempts numeric, max_attempts bigint, one_attempt bigint, two_attempts bigint, three_attempts bigint,
    four_or_more_attempts bigint, walked bigint, mean_walk_cents numeric, max_walk_cents numeric, walk_cost numeric,
    mean_seconds_to_fill numeric, median_seconds_to_fill numeric, max_seconds_to_fill numeric)
LANGUAGE sql STABLE AS $$
WITH orders AS (
    SELECT s.*,
           s.first_limit_price - s.fill_price AS walk,
           extract(epoch FROM s.filled_at - s.first_attempt_at) AS seconds_to_fill
    FROM public.exit_orders_matching(p_since, p_until, p_platform,
                              p_strategy_id, p_model_id, p_exit_condition,
                              p_priority) s
)
SELECT priority_level, GROUPING(priority_level) = 1 AS is_total,
       count(*) AS exit_orders,
       count(*) FILTER (WHERE filled) AS filled,
       count(*) FILTER (WHERE NOT filled) AS never_filled,
       sum(attempts) AS attempts,
       round(avg(attempts), 2) AS mean_attempts,
       max(attempts) AS max_attempts,
       count(*) FILTER (WHERE attempts = 1) AS one_attempt,
       count(*) FILTER (WHERE attempts = 2) AS two_attempts,
       count(*) FILTER (WHERE attempts = 3) AS three_attempts,
       count(*) FILTER (WHERE attempts >= 4) AS four_or_more_attempts,
       count(*) FILTER (WHERE walk > 0) AS walked,
       round(avg(walk) * 100, 2) AS mean_walk_cents,
       round(max(walk) * 100, 2) AS max_walk_cents,
       coalesce(sum(walk * quantity), 0) AS walk_cost,
       round(avg(seconds_to_fill)::numeric, 1) AS mean_seconds_to_fill,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds_to_fill)::numeric, 1) AS median_seconds_to_fill,
       round(max(seconds_to_fill)::numeric, 1) AS max_seconds_to_fill
FROM orders
GROUP BY GROUPING SETS ((priority_level), ())
ORDER BY GROUPING(priority_level),
         array_position(ARRAY['CRITICAL', 'HIGH', 'MEDIUM', 'LOW']::varchar[], priority_level)
$$;

CREATE OR REPLACE FUNCTION exits_fill_rate(p_since timestamp, p_until timestamp, p_platform text, p_strategy_id int, p_model_id int,
    p_exit_condition text, p_priority text)
RETURNS TABLE (priority_level varchar, order_type varchar, attempts bigint, filled bigint, fill_rate numeric)
LANGUAGE sql STABLE AS $$
SELECT a.priority_level, a.order_type,
       count(*) AS attempts,
       count(*) FILTER (WHERE a.success) AS filled,
       round(count(*) FILTER (WHERE a.success)::numeric / count(*), 4) AS fill_rate
FROM public.exit_attempts_matching(p_since, p_until, p_platform,
                            p_strategy_id, p_model_id, p_exit_condition,
                            p_priority) a
GROUP BY a.priority_level, a.order_type
ORDER BY array_position(ARRAY['CRITICAL', 'HIGH', 'MEDIUM', 'LOW']::varchar[], a.priority_level), a.order_type
$$;

-- Current edges' decay, written once the same way (its query file calls it with the filters), and
-- its answer for all time with no filter stored too: the median over every entry trade of ten
-- years (58K) took 50 ms on each view.
CREATE OR REPLACE FUNCTION edge_decay(p_since timestamp, p_strategy_name text, p_model_name text, p_sports text[],
                                      p_platforms text[])
RETURNS TABLE (bucket int, bucket_label text, traded_edges bigint, mean_entry_edge numeric, mean_close_edge numeric,
               median_entry_edge float8, median_close_edge float8, share_still_positive numeric)
LANGUAGE sql STABLE AS $$
WITH paired AS MATERIALIZED (  -- once per trade, not once per aggregate below
    SELECT d.entry_edge, d.close_edge,
           width_bucket(extract(epoch FROM d.closed_at - d.entered_at) / 3600.0,
                        ARRAY[1, 3, 6, 12, 24, 72, 168]::numeric[]) AS bucket
    FROM public.edge_decay_facts d
    LEFT JOIN public.strategies s ON s.strategy_id = d.strategy_id
    LEFT JOIN public.probability_models pm ON pm.model_id = d.model_id
    WHERE (p_since IS NULL OR d.entered_at >= p_since)
      AND (p_strategy_name IS NULL OR s.strategy_name = p_strategy_name)
      AND (p_model_name IS NULL OR pm.model_name = p_model_name)
      AND (p_sports IS NULL OR d.sport = ANY (p_sports))
      AND (p_platforms IS NULL OR d.platform_id = ANY (p_platforms))
)
SELECT p.bucket,
       (ARRAY['under 1 h', '1-3 h', '3-6 h', '6-12 h', '12-24 h', '1-3 days', '3-7 days', '7 days or more'])[p.bucket + 1] AS bucket_label,
       count(*) AS traded_edges,
       avg(p.entry_edge) AS mean_entry_edge,
       avg(p.close_edge) AS mean_close_edge,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY p.entry_edge) AS median_entry_edge,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY p.close_edge) AS median_close_edge,
       avg(CASE WHEN p.close_edge > 0 THEN 1.0 ELSE 0.0 END) AS share_still_positive
FROM paired p
WHERE p.close_edge IS NOT NULL
GROUP BY p.bucket
ORDER BY p.bucket
$$;

-- Alerts response metrics per (week raised, severity, component, alert type) of unsuppressed
-- alerts (suppressed duplicates are nobody's to answer): how many were raised, acknowledged and
-- resolved (by now), their summed seconds to acknowledge and to resolve, resolutions by action, and
-- resolved_in_week: how many of that key were resolved during the week, whenever raised (open
-- alerts when a window starts = raised before it - resolved before it). Weeks start on Monday
-- 00:00 (date_trunc('week')), the weeks the page shows. Summing every alert on each view of the
-- Response metrics tab was 34 + 10 + 29 ms in the server over all history at ten years (20K alerts).
-- Stored rather than kept by the writers' statements: its keys (this week) are shared by every
-- writer of alerts, so a per-key lock held to commit would serialize them and could deadlock a
-- transaction that writes two alerts against another.
CREATE OR REPLACE FUNCTION alert_weeks()
RETURNS TABLE (week timestamp, severity varchar, component varchar, alert_type varchar, alerts bigint,
               acknowledged bigint, ack_seconds float8, resolved bigint, resolve_seconds float8,
               false_positives bigint, fixed bigint, ignored bigint, escalated bigint, resolved_in_week bigint)
LANGUAGE sql STABLE AS $$
WITH raised AS (
    SELECT date_trunc('week', a.triggered_at) AS week, a.severity, a.component, a.alert_type,
           count(*) AS alerts, count(a.acknowledged_at) AS acknowledged,
           coalesce(sum(date_part('epoch', a.acknowledged_at - a.triggered_at)), 0) AS ack_seconds,
           count(a.resolved_at) AS resolved,
           coalesce(sum(date_part('epoch', a.resolved_at - a.triggered_at)), 0) AS resolve_seconds,
           count(*) FILTER (WHERE a.resolved_at IS NOT NULL AND a.resolution_action = 'false_positive') AS false_positives,
           count(*) FILTER (WHERE a.resolved_at IS NOT NULL AND a.resolution_action = 'fixed') AS fixed,
           count(*) FILTER (WHERE a.resolved_at IS NOT NULL AND a.resolution_action = 'ignored') AS ignored,
           count(*) FILTER (WHERE a.resolved_at IS NOT NULL AND a.resolution_action = 'escalated') AS escalated
    FROM public.alerts a
    WHERE NOT a.suppressed
    GROUP BY 1, 2, 3, 4
),
resolutions AS (
    SELECT date_trunc('week', a.resolved_at) AS week, a.severity, a.component, a.alert_type, count(*) AS resolved_in_week
    FROM public.alerts a
    WHERE a.resolved_at IS NOT NULL AND NOT a.suppressed
    GROUP BY 1, 2, 3, 4
)
SELECT week, severity, component, alert_type, coalesce(r.alerts, 0), coalesce(r.acknowledged, 0),
       coalesce(r.ack_seconds, 0), coalesce(r.resolved, 0), coalesce(r.resolve_seconds, 0),
       coalesce(r.false_positives, 0), coalesce(r.fixed, 0), coalesce(r.ignored, 0), coalesce(r.escalated, 0),
       coalesce(s.resolved_in_week, 0)
FROM raised r FULL JOIN resolutions s USING (week, severity, component, alert_type)
$$;

-- Realized P&L per day of closing and execution mode (the Overview's chart and its all-time live
-- total): summing every closed position's P&L on each view was 57 ms in the server at ten years
-- (44.5K closed positions, 5.3K days). Stored for the same reason as alert_weeks: every writer
-- that closes a position today would share the key.
CREATE OR REPLACE FUNCTION position_days()
RETURNS TABLE (day date, execution_mode varchar, positions_closed bigint, realized_pnl numeric)
LANGUAGE sql STABLE AS $$
SELECT f.status_since::date, f.execution_mode, count(*), sum(f.realized_pnl)
FROM public.position_facts f  -- each position's current row (above)
WHERE f.status IN ('closed', 'settled')
GROUP BY 1, 2
$$;

-- Execution quality (Position exits, "Execution quality"): order_slippage grouped four ways, for
-- entries and exits apart. Orders whose decided_at is in [p_since, p_until), of the platform and
-- versions given (an entry's own, an exit's position's); the exit condition and priority select
-- exit orders, and leave entries out when given. Slippage in cents per contract, positive = a cost
-- to us (fill - decision for a buy, decision - fill for a sell); cost = slippage x quantity, money.
-- Rows: dimension 'total' (per order_kind, and overall with order_kind NULL), 'strategy',
-- 'order_type', 'priority' (exits), 'platform'; group_key the group's value as text.
--   orders: all orders; never_filled: exit orders no attempt of which filled; measured: filled
--   orders with a decision price (the slippage figures are over these); at_or_better: those that
--   filled at the decision price or better.
CREATE OR REPLACE FUNCTION execution_slippage(p_since timestamp, p_until timestamp, p_platform text, p_strategy_id int,
    p_model_id int, p_exit_condition text, p_priority text)
RETURNS TABLE (dimension text, order_kind varchar, group_key text, orders bigint, never_filled bigint, measured bigint,
    median_cents numeric, p90_cents numeric, mean_cents numeric, total_cost numeric, at_or_better bigint,
    share_at_or_better numeric)
LANGUAGE sql STABLE AS $$
WITH o AS (
    SELECT s.order_kind, s.strategy_id, s.order_type, s.exit_priority, s.platform_id, s.fill_price, s.quantity,
           CASE s.order_kind WHEN 'entry' THEN s.fill_price - s.decision_price
                             ELSE s.decision_price - s.fill_price END AS slip
    FROM public.order_slippage s
    WHERE (p_since IS NULL OR s.decided_at >= p_since)
      AND (p_until IS NULL OR s.decided_at < p_until)
      AND (p_platform IS NULL OR s.platform_id = p_platform)
      AND (p_strategy_id IS NULL OR s.strategy_id = p_strategy_id)
      AND (p_model_id IS NULL OR s.model_id = p_model_id)
      AND (p_exit_condition IS NULL OR s.exit_condition = p_exit_condition)
      AND (p_priority IS NULL OR s.exit_priority = p_priority)
)
SELECT CASE WHEN GROUPING(order_kind) = 1 THEN 'total'
            WHEN GROUPING(strategy_id) = 0 THEN 'strategy'
            WHEN GROUPING(order_type) = 0 THEN 'order_type'
            WHEN GROUPING(exit_priority) = 0 THEN 'priority'
            WHEN GROUPING(platform_id) = 0 THEN 'platform'
            ELSE 'total' END AS dimension,
       order_kind,
       CASE WHEN GROUPING(strategy_id) = 0 THEN strategy_id::text
            WHEN GROUPING(order_type) = 0 THEN order_type
            WHEN GROUPING(exit_priority) = 0 THEN exit_priority
            WHEN GROUPING(platform_id) = 0 THEN platform_id END AS group_key,
       count(*) AS orders,
       count(*) FILTER (WHERE fill_price IS NULL) AS never_filled,
       count(slip) AS measured,
       -- both percentiles from one sort of the group
       round(((percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY slip))[1])::numeric * 100, 2) AS median_cents,
       round(((percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY slip))[2])::numeric * 100, 2) AS p90_cents,
       round(avg(slip) * 100, 2) AS mean_cents,
       coalesce(sum(slip * quantity), 0) AS total_cost,
       count(*) FILTER (WHERE slip <= 0) AS at_or_better,
       round(count(*) FILTER (WHERE slip <= 0)::numeric / nullif(count(slip), 0), 4) AS share_at_or_better
FROM o
GROUP BY GROUPING SETS ((), (order_kind), (order_kind, strategy_id), (order_kind, order_type),
                        (order_kind, exit_priority), (order_kind, platform_id))
-- an entry has no exit priority: its priority group would repeat the entries' total
HAVING NOT (GROUPING(exit_priority) = 0 AND order_kind = 'entry')
ORDER BY GROUPING(order_kind) = 0, order_kind, 1, 3
$$;

-- How far positions ran (Position exits): exit_excursions of the matching exits (the exits page's
-- filters, as exits_matching), by exit condition and in total (exit_condition NULL). Per exit:
-- MAE = worst - entry and MFE = best - entry in cents per contract and as a share of the entry
-- price; exit efficiency = (exit - entry) / (best - entry), the share of the best run while held
-- that the exit took (exits whose best was the entry price have none). Stops (stop_loss,
-- trailing_stop, circuit_breaker) that sold below the entry price "recovered" when best_after
-- reached the entry price; targets (profit_target, partial_exit_target) "left most of the run"
-- when exit - entry < (best_after - entry) / 2. Both count exits whose market has closed only.
CREATE OR REPLACE FUNCTION exits_excursions(p_since timestamp, p_until timestamp, p_platform text, p_strategy_id int,
    p_model_id int, p_exit_condition text, p_priority text)
RETURNS TABLE (exit_condition varchar, exits bigint, contracts bigint, median_mae_cents numeric, p90_mae_cents numeric,
    median_mfe_cents numeric, median_mae_share numeric, median_mfe_share numeric, median_efficiency numeric,
    with_efficiency bigint, stops_measured bigint, stops_recovered bigint, targets_measured bigint,
    targets_left_most bigint)
LANGUAGE sql STABLE AS $$
WITH x AS (
    SELECT e.exit_condition, e.quantity_exited, e.entry_price, e.exit_price, e.best_after,
           e.market_closed_at IS NOT NULL AS closed,
           (e.worst_price - e.entry_price) AS mae, (e.best_price - e.entry_price) AS mfe,
           (e.exit_price - e.entry_price) / nullif(e.best_price - e.entry_price, 0) AS efficiency,
           e.exit_condition IN ('stop_loss', 'trailing_stop', 'circuit_breaker') AND e.exit_price < e.entry_price AS losing_stop,
           e.exit_condition IN ('profit_target', 'partial_exit_target') AS target
    FROM public.exit_excursions e
    WHERE (p_since IS NULL OR e.created_at >= p_since)
      AND (p_until IS NULL OR e.created_at < p_until)
      AND (p_platform IS NULL OR e.platform_id = p_platform)
      AND (p_strategy_id IS NULL OR e.strategy_id = p_strategy_id)
      AND (p_model_id IS NULL OR e.model_id = p_model_id)
      AND (p_exit_condition IS NULL OR e.exit_condition = p_exit_condition)
      AND (p_priority IS NULL OR e.exit_priority = p_priority)
)
SELECT exit_condition, count(*) AS exits, sum(quantity_exited) AS contracts,
       -- both from one sort of the group (identical aggregates are computed once)
       round(((percentile_cont(ARRAY[0.5, 0.1]) WITHIN GROUP (ORDER BY mae))[1])::numeric * 100, 2) AS median_mae_cents,
       round(((percentile_cont(ARRAY[0.5, 0.1]) WITHIN GROUP (ORDER BY mae))[2])::numeric * 100, 2) AS p90_mae_cents,
       round((percentile_cont(0.5) WITHIN GROUP (ORDER BY mfe))::numeric * 100, 2) AS median_mfe_cents,
       round((percentile_cont(0.5) WITHIN GROUP (ORDER BY mae / nullif(entry_price, 0)))::numeric, 4) AS median_mae_share,
       round((percentile_cont(0.5) WITHIN GROUP (ORDER BY mfe / nullif(entry_price, 0)))::numeric, 4) AS median_mfe_share,
       round((percentile_cont(0.5) WITHIN GROUP (ORDER BY efficiency))::numeric, 4) AS median_efficiency,
       count(efficiency) AS with_efficiency,
       count(*) FILTER (WHERE losing_stop AND closed) AS stops_measured,
       count(*) FILTER (WHERE losing_stop AND closed AND best_after >= entry_price) AS stops_recovered,
       count(*) FILTER (WHERE target AND closed AND best_after IS NOT NULL) AS targets_measured,
       count(*) FILTER (WHERE target AND closed AND exit_price - entry_price < (best_after - entry_price) / 2) AS targets_left_most
FROM x
GROUP BY GROUPING SETS ((exit_condition), ())
ORDER BY GROUPING(exit_condition), exit_condition
$$;

CREATE TABLE IF NOT EXISTS stored_answers (
    name        VARCHAR PRIMARY KEY,     -- the materialized view
    computed_at TIMESTAMPTZ NOT NULL     -- when its rows were computed (its last refresh)
);

CREATE MATERIALIZED VIEW IF NOT EXISTS exits_breakdown_stored AS
    SELECT * FROM public.exits_breakdown(NULL, NULL, NULL, NULL, NULL, NULL, NULL);
CREATE UNIQUE INDEX IF NOT EXISTS exits_breakdown_stored_key ON exits_breakdown_stored (level, exit_condition, exit_priority) NULLS NOT DISTINCT;

CREATE MATERIALIZED VIEW IF NOT EXISTS exits_steps_stored AS
    SELECT * FROM public.exits_steps(NULL, NULL, NULL, NULL, NULL, NULL, NULL);
CREATE UNIQUE INDEX IF NOT EXISTS exits_steps_stored_key ON exits_steps_stored (steps, step) NULLS NOT DISTINCT;

CREATE MATERIALIZED VIEW IF NOT EXISTS exits_walking_stored AS
    SELECT * FROM public.exits_walking(NULL, NULL, NULL, NULL, NULL, NULL, NULL);
CREATE UNIQUE INDEX IF NOT EXISTS exits_walking_stored_key ON exits_walking_stored (is_total, priority_level) NULLS NOT DISTINCT;

CREATE MATERIALIZED VIEW IF NOT EXISTS exits_fill_rate_stored AS
    SELECT * FROM public.exits_fill_rate(NULL, NULL, NULL, NULL, NULL, NULL, NULL);
CREATE UNIQUE INDEX IF NOT EXISTS exits_fill_rate_stored_key ON exits_fill_rate_stored (priority_level, order_type) NULLS NOT DISTINCT;

CREATE MATERIALIZED VIEW IF NOT EXISTS edge_decay_stored AS
    SELECT * FROM public.edge_decay(NULL, NULL, NULL, NULL, NULL);
CREATE UNIQUE INDEX IF NOT EXISTS edge_decay_stored_key ON edge_decay_stored (bucket) NULLS NOT DISTINCT;

CREATE MATERIALIZED VIEW IF NOT EXISTS alert_weeks_stored AS SELECT * FROM public.alert_weeks();
CREATE UNIQUE INDEX IF NOT EXISTS alert_weeks_stored_key ON alert_weeks_stored (week, severity, component, alert_type);

CREATE MATERIALIZED VIEW IF NOT EXISTS position_days_stored AS SELECT * FROM public.position_days();
CREATE UNIQUE INDEX IF NOT EXISTS position_days_stored_key ON position_days_stored (execution_mode, day) NULLS NOT DISTINCT;

CREATE MATERIALIZED VIEW IF NOT EXISTS execution_slippage_stored AS
    SELECT * FROM public.execution_slippage(NULL, NULL, NULL, NULL, NULL, NULL, NULL);
CREATE UNIQUE INDEX IF NOT EXISTS execution_slippage_stored_key ON execution_slippage_stored (dimension, order_kind, group_key) NULLS NOT DISTINCT;

CREATE MATERIALIZED VIEW IF NOT EXISTS exits_excursions_stored AS
    SELECT * FROM public.exits_excursions(NULL, NULL, NULL, NULL, NULL, NULL, NULL);
CREATE UNIQUE INDEX IF NOT EXISTS exits_excursions_stored_key ON exits_excursions_stored (exit_condition) NULLS NOT DISTINCT;

INSERT INTO stored_answers (name, computed_at)
SELECT v.name, now()
FROM (VALUES ('exits_breakdown_stored'), ('exits_steps_stored'), ('exits_walking_stored'), ('exits_fill_rate_stored'),
             ('edge_decay_stored'), ('alert_weeks_stored'), ('position_days_stored'), ('execution_slippage_stored'),
             ('exits_excursions_stored')) v(name)
ON CONFLICT (name) DO NOTHING;

-- Refreshes every stored answer computed more than p_older_than ago; returns how many it
-- refreshed. One caller at a time: a second one (another dashboard process) returns 0 at once.
-- The owner's (loaders, cron); the dashboard's writer calls refresh_due_stored_answers() below,
-- which cannot ask for a refresh of answers younger than a minute.
CREATE OR REPLACE FUNCTION refresh_stored_answers(p_older_than interval DEFAULT interval '1 minute') RETURNS int
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    due record;
    started timestamptz;
    refreshed int := 0;
BEGIN
    IF p_older_than IS NULL OR p_older_than < interval '0' THEN
        RAISE EXCEPTION 'refresh_stored_answers needs an age of zero or more, not %', p_older_than
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF NOT pg_try_advisory_xact_lock(hashtext('precog.stored_answers')) THEN
        RETURN 0;
    END IF;
    FOR due IN SELECT s.name FROM stored_answers s
               WHERE s.computed_at <= clock_timestamp() - p_older_than ORDER BY s.name LOOP
        started := clock_timestamp();  -- the refresh reads what was committed by then
        EXECUTE format('REFRESH MATERIALIZED VIEW CONCURRENTLY %I', due.name);
        UPDATE stored_answers SET computed_at = started WHERE name = due.name;
        refreshed := refreshed + 1;
    END LOOP;
    RETURN refreshed;
END $$;
CREATE OR REPLACE FUNCTION refresh_due_stored_answers() RETURNS int
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
SELECT refresh_stored_answers(interval '1 minute')
$$;

-- ---------------------------------------------------------------------------------------------
-- Attribution audit: trades and positions whose history contradicts itself (issue #22)
-- ---------------------------------------------------------------------------------------------
-- A real Precog database can hold faults no row trigger sees, because each row is fine alone:
-- clocks that disagree between services, a version promoted by hand without a record, a writer
-- that records the edge after the order. attribution_faults() finds them, one row per finding:
--   trade_before_edge        a trade created before the edge it names was computed
--   edge_mismatch            a trade whose edge names another strategy version, model version
--                            or market than the trade
--   before_strategy_created  a trade created before its strategy version was
--   before_model_created     a trade created before its model version was
--   strategy_not_trading     a buy (an entry) while its strategy version's recorded status was
--                            neither testing nor active (the version's later exits are its
--                            open positions winding down, not faults)
--   model_not_trading        a buy while its model version was neither validating nor active
--   strategy_live_while_testing  a live buy while its strategy version was testing (paper only)
--   model_live_while_validating  a live buy while its model version was validating (paper only)
--   position_quantities      a position whose buys differ from its opening quantity, or whose
--                            buys less sells differ from what its current row holds
--   position_mixed           a position whose trades name more than one strategy and model
--                            pair, or another market than the position's
-- The statuses at a trade's moment come from the recorded lifecycle (version_status_spans);
-- trades before a version was created count there, not as a status.
-- At ten years (116K trades, 58K of them with an edge, 44.5K positions) finding them reads every
-- trade once and probes the edges of those with one, too much for each view of a page: the
-- findings are a stored answer (attribution_faults_stored, refreshed with the others each minute),
-- and the pages count and list them from it by index.
CREATE INDEX IF NOT EXISTS idx_trades_strategy_created ON trades(strategy_id, created_at) INCLUDE (side, execution_mode);
CREATE INDEX IF NOT EXISTS idx_trades_model_created ON trades(model_id, created_at) INCLUDE (side, execution_mode);

CREATE OR REPLACE FUNCTION attribution_faults()
RETURNS TABLE (kind text, subject text, subject_id int, happened_at timestamp, strategy_id int, model_id int,
               detail text)
LANGUAGE sql STABLE
SET search_path = pg_catalog, public, pg_temp AS $$
WITH trade_edges AS (
    SELECT t.trade_id, t.created_at, t.strategy_id, t.model_id, t.market_id, e.edge_id, e.created_at AS edge_at,
           e.strategy_id AS edge_strategy_id, e.model_id AS edge_model_id, e.market_id AS edge_market_id
    FROM trades t JOIN edges e ON e.edge_id = t.edge_id
),
labels AS (
    SELECT v.kind, v.version_id, v.name || ' ' || v.version AS label, v.created_at FROM lifecycle_versions v
),
-- the spans of a status that does not trade live, from the version's creation on (a trade before it
-- is a finding of its own)
restricted_spans AS MATERIALIZED (
    SELECT sp.kind, sp.version_id, sp.name, sp.version, sp.status, sp.since, sp.until,
           greatest(sp.since, coalesce(v.created_at, '-infinity')) AS from_at, version_trading_mode(sp.kind, sp.status) AS mode
    FROM version_status_spans sp
    JOIN labels v ON v.kind = sp.kind AND v.version_id = sp.version_id
    WHERE version_trading_mode(sp.kind, sp.status) IS DISTINCT FROM 'live'
),
position_trades AS (
    SELECT t.position_id, count(*) AS trades,
           coalesce(sum(t.quantity) FILTER (WHERE t.side = 'buy'), 0) AS buys,
           coalesce(sum(t.quantity) FILTER (WHERE t.side = 'sell'), 0) AS sells,
           count(DISTINCT (coalesce(t.strategy_id, 0), coalesce(t.model_id, 0))) AS pairs,
           min(t.market_id) AS first_market, max(t.market_id) AS last_market
    FROM trades t WHERE t.position_id IS NOT NULL
    GROUP BY t.position_id
),
positions_now AS (
    SELECT f.position_id, f.opened_at, f.opening_quantity, f.strategy_id, f.model_id, c.quantity, c.status, c.market_id,
           coalesce(pt.trades, 0) AS trades, coalesce(pt.buys, 0) AS buys, coalesce(pt.sells, 0) AS sells,
           coalesce(pt.pairs, 0) AS pairs, pt.first_market, pt.last_market
    FROM position_facts f
    JOIN positions c ON c.position_id = f.position_id AND c.row_current_ind
    LEFT JOIN position_trades pt ON pt.position_id = f.position_id
)
SELECT 'trade_before_edge', 'trade', te.trade_id, te.created_at, te.strategy_id, te.model_id,
       format('Its edge #%s was computed %s after the trade.', te.edge_id, date_trunc('second', te.edge_at - te.created_at))
FROM trade_edges te
WHERE te.edge_at > te.created_at
UNION ALL
SELECT 'edge_mismatch', 'trade', te.trade_id, te.created_at, te.strategy_id, te.model_id,
       format('The trade names %s with %s on %s; its edge #%s names %s with %s on %s.',
              coalesce(ts.label, 'no strategy'), coalesce(tm.label, 'no model'), te.market_id, te.edge_id,
              coalesce(es.label, 'no strategy'), coalesce(em.label, 'no model'), te.edge_market_id)
FROM trade_edges te
LEFT JOIN labels ts ON ts.kind = 'strategy' AND ts.version_id = te.strategy_id
LEFT JOIN labels tm ON tm.kind = 'model' AND tm.version_id = te.model_id
LEFT JOIN labels es ON es.kind = 'strategy' AND es.version_id = te.edge_strategy_id
LEFT JOIN labels em ON em.kind = 'model' AND em.version_id = te.edge_model_id
WHERE (te.edge_strategy_id, te.edge_model_id, te.edge_market_id) IS DISTINCT FROM (te.strategy_id, te.model_id, te.market_id)
UNION ALL
-- each version's trades before its creation: one index range per version
SELECT 'before_strategy_created', 'trade', t.trade_id, t.created_at, t.strategy_id, t.model_id,
       format('%s %s was created %s later.', s.strategy_name, s.strategy_version, date_trunc('second', s.created_at - t.created_at))
FROM strategies s JOIN trades t ON t.strategy_id = s.strategy_id AND t.created_at < s.created_at
UNION ALL
SELECT 'before_model_created', 'trade', t.trade_id, t.created_at, t.strategy_id, t.model_id,
       format('%s %s was created %s later.', m.model_name, m.model_version, date_trunc('second', m.created_at - t.created_at))
FROM probability_models m JOIN trades t ON t.model_id = m.model_id AND t.created_at < m.created_at
UNION ALL
-- each span of a status in which a version may not trade, or only on paper: its buys (its live
-- buys), one index range each
SELECT CASE WHEN sp.mode IS NULL THEN sp.kind || '_not_trading'
            WHEN sp.kind = 'strategy' THEN 'strategy_live_while_testing' ELSE 'model_live_while_validating' END,
       'trade', t.trade_id, t.created_at, t.strategy_id, t.model_id,
       format('%s %s was %s then (since %s)%s.', sp.name, sp.version, sp.status, to_char(sp.since, 'YYYY-MM-DD HH24:MI'),
              CASE WHEN sp.mode IS NULL THEN '' ELSE ', trading on paper only' END)
FROM restricted_spans sp
CROSS JOIN LATERAL (
    SELECT t.trade_id, t.created_at, t.strategy_id, t.model_id FROM trades t
    WHERE sp.kind = 'strategy' AND t.strategy_id = sp.version_id AND t.created_at >= sp.from_at AND t.created_at < sp.until
      AND t.side = 'buy' AND (sp.mode IS NULL OR t.execution_mode = 'live')
    UNION ALL
    SELECT t.trade_id, t.created_at, t.strategy_id, t.model_id FROM trades t
    WHERE sp.kind = 'model' AND t.model_id = sp.version_id AND t.created_at >= sp.from_at AND t.created_at < sp.until
      AND t.side = 'buy' AND (sp.mode IS NULL OR t.execution_mode = 'live')
) t
UNION ALL
-- A closed position holds nothing, whatever its quantity column says: writers differ there (the
-- demo sets it to 0; a trading system written from the schema document leaves it as opened), so a
-- closed position is held to buys = sells and an open or settled one to its current quantity.
SELECT 'position_quantities', 'position', p.position_id, p.opened_at, p.strategy_id, p.model_id,
       format('Opened with %s; its buys add up to %s and its sells to %s, so it should hold %s, but %s.',
              p.opening_quantity, p.buys, p.sells, p.buys - p.sells,
              CASE WHEN p.status = 'closed' THEN 'it is closed' ELSE 'it holds ' || p.quantity END)
FROM positions_now p
WHERE p.buys <> p.opening_quantity
   OR p.buys - p.sells <> CASE WHEN p.status = 'closed' THEN 0 ELSE p.quantity END
UNION ALL
SELECT 'position_mixed', 'position', p.position_id, p.opened_at, p.strategy_id, p.model_id,
       format('Its %s trades name %s strategy and model version pairs and the markets %s; the position is on %s.',
              p.trades, p.pairs, CASE WHEN p.first_market = p.last_market THEN p.first_market
                                      ELSE p.first_market || ' … ' || p.last_market END, p.market_id)
FROM positions_now p
WHERE p.pairs > 1 OR p.first_market <> p.last_market OR p.first_market <> p.market_id
$$;

CREATE MATERIALIZED VIEW IF NOT EXISTS attribution_faults_stored AS SELECT * FROM public.attribution_faults();
CREATE UNIQUE INDEX IF NOT EXISTS attribution_faults_stored_key ON attribution_faults_stored (kind, subject_id);
CREATE INDEX IF NOT EXISTS attribution_faults_stored_newest ON attribution_faults_stored (kind, happened_at DESC, subject_id DESC);
INSERT INTO stored_answers (name, computed_at) VALUES ('attribution_faults_stored', now()) ON CONFLICT (name) DO NOTHING;

-- ---------------------------------------------------------------------------------------------
-- Positions open at a moment (Position exits, "Open at a moment"; issue #22)
-- ---------------------------------------------------------------------------------------------
-- A position is open from its first row until its current row closed or settled it: [opened_at,
-- status_since) of position_facts, open-ended while it is open. A range index on that span finds
-- the few positions open at any moment of ten years (44.5K positions) without reading the others;
-- the rows and prices of that moment are then one index probe each. greatest() keeps a broken
-- history (a current row older than the first) from failing the facts' upkeep.
CREATE OR REPLACE FUNCTION position_open_span(p_opened_at timestamp, p_status text, p_status_since timestamp)
RETURNS tsrange LANGUAGE sql IMMUTABLE AS $$
SELECT tsrange(p_opened_at, CASE WHEN p_status IN ('closed', 'settled') THEN greatest(p_status_since, p_opened_at) END, '[)')
$$;
CREATE INDEX IF NOT EXISTS idx_position_facts_open_span ON position_facts
    USING gist (position_open_span(opened_at, status, status_since));

-- ---------------------------------------------------------------------------------------------
-- This version of the dashboard's schema (recorded in schema_version at the end)
-- ---------------------------------------------------------------------------------------------
-- A function, so that the installer can write the row itself: when it defers the summaries' fill
-- (above), the row is written once they are filled, and a database with this version row has
-- every summary complete.
CREATE OR REPLACE FUNCTION dashboard_schema_version(OUT version varchar, OUT description text)
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, public, pg_temp AS $$
SELECT '1.7.0+dashboard.11'::varchar,
       'Seed v1.7 (27 tables, 8 views) with rules enforced in the database; '
       'model and strategy lifecycle, alert actions (acknowledge, snooze, resolve; per-severity '
       'acknowledgement limits), views and functions of the pages, shared page filters; '
       'reader, writer and dashboard roles; summaries kept by the writers (position_facts, '
       'market_closes, edge_decay_facts, calibration_points, exit_orders, exit_facts, '
       'exit_position_facts, order_slippage, exit_excursions); stored answers of the exits page '
       '(with execution and excursions), edge decay, alert weeks, position days '
       'and the attribution audit; installable on an existing Precog database (summary_fills)'::text
$$;

-- ---------------------------------------------------------------------------------------------
-- Access control: least privilege for the dashboard (keep this section last but for the version)
-- ---------------------------------------------------------------------------------------------
-- Three roles (cluster-wide, so created only when missing; two databases applying this file at
-- once may race to create them, hence the exception handlers):
--  * precog_reader  SELECT on every table and view; EXECUTE on the functions that cannot write
--                   (STABLE or IMMUTABLE: PostgreSQL refuses data changes inside those).
--  * precog_writer  EXECUTE on the five write functions only, and on refresh_due_stored_answers(). They are SECURITY DEFINER with a
--                   fixed search_path, so the writer changes rows only the way they do; it has
--                   no INSERT/UPDATE/DELETE on any table. (This also closes the door a direct
--                   UPDATE of probability_models.status with precog.status_action='rollback'
--                   would open: no dashboard role may UPDATE that table.)
--  * precog_dashboard  the login the dashboard uses: NOINHERIT, a member of both, holding nothing
--                   itself. Its engines set role=precog_reader or role=precog_writer at connection
--                   start-up (RESET ROLE returns there; SET ROLE NONE returns to the login, which may
--                   do nothing), so a session has one role's rights, never the owner's. Give it a password in production
--                   (ALTER ROLE precog_dashboard PASSWORD ...); with none, only trust auth admits it.
-- EXECUTE is revoked from PUBLIC on every function of ours (extension functions are left alone).
-- Every function of ours names pg_temp last in its fixed search_path: otherwise PostgreSQL looks
-- in pg_temp first, and a temporary table called model_status_history would catch the audit rows
-- of a SECURITY DEFINER call. As a second wall, PUBLIC may not create temporary tables here, nor
-- large objects (the one kind of row SELECT alone could otherwise write).
-- Everything below is re-granted on every apply, so objects added above are always covered.
DO $$
DECLARE
    wanted text[][] := ARRAY[['precog_reader', 'NOLOGIN'], ['precog_writer', 'NOLOGIN'],
                             ['precog_dashboard', 'LOGIN NOINHERIT']];
    i int;
BEGIN
    FOR i IN 1 .. array_length(wanted, 1) LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = wanted[i][1]) THEN
            BEGIN
                EXECUTE format('CREATE ROLE %I %s', wanted[i][1], wanted[i][2]);
            EXCEPTION WHEN duplicate_object OR unique_violation THEN
                NULL;  -- another database's apply created it a moment ago
            END;
        END IF;
    END LOOP;
    IF NOT pg_has_role('precog_dashboard', 'precog_reader', 'MEMBER')
       OR NOT pg_has_role('precog_dashboard', 'precog_writer', 'MEMBER') THEN
        BEGIN
            GRANT precog_reader, precog_writer TO precog_dashboard;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;
        END;
    END IF;
END $$;

DO $$
BEGIN
    EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
    EXECUTE format('GRANT TEMPORARY ON DATABASE %I TO %I', current_database(), current_user);  -- the loader's pg_temp helpers
END $$;
REVOKE EXECUTE ON FUNCTION lo_create(oid), lo_creat(integer), lo_from_bytea(oid, bytea), lo_put(oid, bigint, bytea)
    FROM PUBLIC;
-- Session advisory locks likewise: the summaries' upkeep locks keys with them (summary_lock), so a
-- role that could take them could hold a bucket and stall every writer of it. Our SECURITY DEFINER
-- functions run as the owner and keep them; grant them to a trading-system role that needs its own.
REVOKE EXECUTE ON FUNCTION
    pg_advisory_lock(bigint), pg_advisory_lock_shared(bigint), pg_try_advisory_lock(bigint),
    pg_try_advisory_lock_shared(bigint), pg_advisory_lock(integer, integer), pg_advisory_lock_shared(integer, integer),
    pg_try_advisory_lock(integer, integer), pg_try_advisory_lock_shared(integer, integer),
    pg_advisory_xact_lock(bigint), pg_advisory_xact_lock_shared(bigint), pg_try_advisory_xact_lock(bigint),
    pg_try_advisory_xact_lock_shared(bigint), pg_advisory_xact_lock(integer, integer),
    pg_advisory_xact_lock_shared(integer, integer), pg_try_advisory_xact_lock(integer, integer),
    pg_try_advisory_xact_lock_shared(integer, integer)
    FROM PUBLIC;

GRANT USAGE ON SCHEMA public TO precog_reader, precog_writer;
REVOKE CREATE ON SCHEMA public FROM PUBLIC, precog_reader, precog_writer, precog_dashboard;
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC, precog_reader, precog_writer, precog_dashboard;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM PUBLIC, precog_reader, precog_writer, precog_dashboard;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO precog_reader;

DO $$
DECLARE
    f record;
BEGIN
    FOR f IN SELECT p.oid::regprocedure AS signature, p.provolatile, p.prosecdef,
                    p.prorettype = 'trigger'::regtype AS is_trigger
             FROM pg_proc p
             WHERE p.pronamespace = 'public'::regnamespace AND p.prokind = 'f'
               AND NOT EXISTS (SELECT 1 FROM pg_depend d
                               WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e') LOOP
        EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC, precog_reader, precog_writer, precog_dashboard',
                       f.signature);
        IF f.provolatile IN ('s', 'i') AND NOT f.prosecdef AND NOT f.is_trigger THEN
            EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO precog_reader', f.signature);
        END IF;
    END LOOP;
END $$;

GRANT EXECUTE ON FUNCTION acknowledge_alert(int, text, text), resolve_alert(int, text, text, text),
                          snooze_alert(int, text, timestamp, text),
                          transition_model_status(int, text, text, text, text, text),
                          rollback_model(text, text, text, text), refresh_due_stored_answers()
    TO precog_writer;

-- ---------------------------------------------------------------------------------------------
-- Version record (last, so it is only written when everything above succeeded)
-- ---------------------------------------------------------------------------------------------
INSERT INTO schema_version (version, description)
SELECT v.version, v.description FROM dashboard_schema_version() v
WHERE coalesce(current_setting('precog.install_fill', true), '') <> 'deferred'
ON CONFLICT (version) DO NOTHING;
