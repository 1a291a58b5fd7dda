-- Demo data for the Precog database, generated inside the server.
--
-- Parameters (set by demo/loader.py with set_config): demo.scale (years of data), demo.seed,
-- demo.as_of (the "now" of the data, UTC). Randomness is a seeded hash of (key, stream): the
-- same parameters give the same rows whatever plan the server picks.
--
-- The world: every market follows a hidden logit path; the market price is that path plus a
-- little noise, and the outcome is drawn from the path's end. A model version sees the path
-- plus part of its future (its skill), distorted by its own slope (over- or under-confidence),
-- bias and noise -- so versions really differ in calibration. Strategy versions trade edges
-- above their own threshold and exit by their own rules; halftime_entry v1.1 and
-- underdog_fade v2.0 demand more edge than their v1.0 (a true A/B difference), while
-- momentum_scalp v1.0 and v1.1 share every rule (the A/A pair).
--
-- Each "-- step:" section is run and timed on its own by the loader.

-- step: parameters and helpers
CREATE TEMP TABLE demo_params ON COMMIT DROP AS
SELECT current_setting('demo.scale')::float8 AS years,
       current_setting('demo.as_of')::timestamp AS as_of,
       current_setting('demo.as_of')::timestamp
         - make_interval(secs => current_setting('demo.scale')::float8 * 365 * 86400) AS period_start;

-- u(key, stream): uniform in (0, 1); n(key, stream): standard normal (Box-Muller).
CREATE FUNCTION pg_temp.u(k bigint, s int) RETURNS float8 LANGUAGE sql STABLE AS $$
    SELECT ((hashint8extended(k, current_setting('demo.seed')::bigint * 1000003 + s)
             & 9007199254740991)::float8 + 0.5) / 9007199254740992.0
$$;
CREATE FUNCTION pg_temp.n(k bigint, s int) RETURNS float8 LANGUAGE sql STABLE AS $$
    SELECT sqrt(-2 * ln(pg_temp.u(k, s))) * cos(2 * pi() * pg_temp.u(k, s + 100000))
$$;
CREATE FUNCTION pg_temp.sigmoid(x float8) RETURNS float8 LANGUAGE sql IMMUTABLE AS $$
    SELECT 1 / (1 + exp(-x))
$$;
-- The moment a fraction of the period names (0: its start, 1: as-of; negative: before it).
CREATE FUNCTION pg_temp.at(frac float8) RETURNS timestamp LANGUAGE sql STABLE AS $$
    SELECT period_start + make_interval(secs => frac * years * 365 * 86400) FROM demo_params
$$;
-- A quoted price: whole cents between 0.01 and 0.99.
CREATE FUNCTION pg_temp.cents(x float8) RETURNS numeric LANGUAGE sql IMMUTABLE AS $$
    SELECT round(least(0.99, greatest(0.01, x))::numeric, 2)
$$;
-- The limit of the i-th attempt of an exit order that starts at the quote q and walks a cent lower each time.
CREATE FUNCTION pg_temp.walk(q numeric, i int) RETURNS numeric LANGUAGE sql IMMUTABLE AS $$
    SELECT greatest(0.01, q - 0.01 * (i - 1))
$$;
-- Kalshi-style fee: 7% of p(1-p) per contract, in whole cents.
CREATE FUNCTION pg_temp.fee(qty int, p numeric) RETURNS numeric LANGUAGE sql IMMUTABLE AS $$
    SELECT ceil(0.07 * qty * p * (1 - p) * 100) / 100
$$;

-- step: platforms, series and teams
INSERT INTO platforms (platform_id, platform_type, display_name, base_url, websocket_url, api_version,
                       auth_method, fees_structure, status, created_at)
SELECT 'kalshi', 'trading', 'Kalshi', 'https://api.elections.kalshi.com/trade-api/v2',
       'wss://api.elections.kalshi.com/trade-api/ws/v2', 'v2', 'rsa_pss',
       '{"taker_fee_formula": "0.07*C*P*(1-P)", "maker_fee": 0}'::jsonb, 'active', period_start - interval '400 days'
FROM demo_params
UNION ALL
SELECT 'polymarket', 'trading', 'Polymarket', 'https://clob.polymarket.com', 'wss://ws-subscriptions-clob.polymarket.com',
       'v1', 'metamask', '{"taker_fee_bps": 0, "maker_fee_bps": 0}'::jsonb, 'active', period_start - interval '300 days'
FROM demo_params;

INSERT INTO series (series_id, platform_id, external_id, category, subcategory, title, frequency, metadata, created_at, updated_at)
SELECT s.series_id, s.platform_id, s.external_id, s.category, s.subcategory, s.title, 'recurring', s.metadata::jsonb,
       p.period_start - interval '200 days', p.period_start
FROM demo_params p,
     (VALUES ('KXNFLGAME', 'kalshi', 'KXNFLGAME', 'sports', 'nfl', 'NFL game winners and totals', '{"league": "NFL"}'),
             ('KXNBAGAME', 'kalshi', 'KXNBAGAME', 'sports', 'nba', 'NBA game winners and totals', '{"league": "NBA"}'),
             ('PM-NBA', 'polymarket', 'nba-games', 'sports', 'nba', 'NBA games', '{"league": "NBA"}'),
             ('KXPOLITICS', 'kalshi', 'KXPOLITICS', 'politics', 'presidential', 'Elections and approval', '{}'),
             ('PM-POLITICS', 'polymarket', 'politics', 'politics', 'presidential', 'Politics', '{}'))
       AS s(series_id, platform_id, external_id, category, subcategory, title, metadata);

-- The 32 NFL teams (Elo 1370-1660, as seeded by migration 010) and the 30 NBA teams.
INSERT INTO teams (team_code, team_name, sport, conference, division, current_elo_rating, external_id, created_at)
SELECT t.code, t.name, 'nfl', t.conf, t.div, round(1370 + 290 * (t.ord - 1) / 31.0, 2), 'nfl-' || lower(t.code),
       p.period_start - interval '30 days'
FROM demo_params p,
     (VALUES (1, 'CAR', 'Carolina Panthers', 'NFC', 'South'), (2, 'NYG', 'New York Giants', 'NFC', 'East'),
             (3, 'TEN', 'Tennessee Titans', 'AFC', 'South'), (4, 'NE', 'New England Patriots', 'AFC', 'East'),
             (5, 'CHI', 'Chicago Bears', 'NFC', 'North'), (6, 'LV', 'Las Vegas Raiders', 'AFC', 'West'),
             (7, 'ARI', 'Arizona Cardinals', 'NFC', 'West'), (8, 'WAS', 'Washington Commanders', 'NFC', 'East'),
             (9, 'NYJ', 'New York Jets', 'AFC', 'East'), (10, 'DEN', 'Denver Broncos', 'AFC', 'West'),
             (11, 'IND', 'Indianapolis Colts', 'AFC', 'South'), (12, 'ATL', 'Atlanta Falcons', 'NFC', 'South'),
             (13, 'NO', 'New Orleans Saints', 'NFC', 'South'), (14, 'CLE', 'Cleveland Browns', 'AFC', 'North'),
             (15, 'JAX', 'Jacksonville Jaguars', 'AFC', 'South'), (16, 'SEA', 'Seattle Seahawks', 'NFC', 'West'),
             (17, 'MIN', 'Minnesota Vikings', 'NFC', 'North'), (18, 'PIT', 'Pittsburgh Steelers', 'AFC', 'North'),
             (19, 'LAC', 'Los Angeles Chargers', 'AFC', 'West'), (20, 'TB', 'Tampa Bay Buccaneers', 'NFC', 'South'),
             (21, 'GB', 'Green Bay Packers', 'NFC', 'North'), (22, 'LAR', 'Los Angeles Rams', 'NFC', 'West'),
             (23, 'CIN', 'Cincinnati Bengals', 'AFC', 'North'), (24, 'MIA', 'Miami Dolphins', 'AFC', 'East'),
             (25, 'HOU', 'Houston Texans', 'AFC', 'South'), (26, 'DAL', 'Dallas Cowboys', 'NFC', 'East'),
             (27, 'DET', 'Detroit Lions', 'NFC', 'North'), (28, 'PHI', 'Philadelphia Eagles', 'NFC', 'East'),
             (29, 'SF', 'San Francisco 49ers', 'NFC', 'West'), (30, 'BUF', 'Buffalo Bills', 'AFC', 'East'),
             (31, 'BAL', 'Baltimore Ravens', 'AFC', 'North'), (32, 'KC', 'Kansas City Chiefs', 'AFC', 'West'))
       AS t(ord, code, name, conf, div);

INSERT INTO teams (team_code, team_name, sport, conference, current_elo_rating, external_id, created_at)
SELECT t.code, t.name, 'nba', CASE WHEN t.ord <= 15 THEN 'East' ELSE 'West' END,
       round((1400 + 220 * pg_temp.u(t.ord, 11))::numeric, 2), 'nba-' || lower(t.code), p.period_start - interval '30 days'
FROM demo_params p,
     (VALUES (1, 'BOS', 'Boston Celtics'), (2, 'NYK', 'New York Knicks'), (3, 'MIL', 'Milwaukee Bucks'),
             (4, 'CLE', 'Cleveland Cavaliers'), (5, 'PHI', 'Philadelphia 76ers'), (6, 'MIA', 'Miami Heat'),
             (7, 'ORL', 'Orlando Magic'), (8, 'IND', 'Indiana Pacers'), (9, 'ATL', 'Atlanta Hawks'),
             (10, 'CHI', 'Chicago Bulls'), (11, 'BKN', 'Brooklyn Nets'), (12, 'TOR', 'Toronto Raptors'),
             (13, 'CHA', 'Charlotte Hornets'), (14, 'WAS', 'Washington Wizards'), (15, 'DET', 'Detroit Pistons'),
             (16, 'OKC', 'Oklahoma City Thunder'), (17, 'DEN', 'Denver Nuggets'), (18, 'MIN', 'Minnesota Timberwolves'),
             (19, 'LAC', 'LA Clippers'), (20, 'DAL', 'Dallas Mavericks'), (21, 'PHX', 'Phoenix Suns'),
             (22, 'LAL', 'Los Angeles Lakers'), (23, 'NOP', 'New Orleans Pelicans'), (24, 'SAC', 'Sacramento Kings'),
             (25, 'GSW', 'Golden State Warriors'), (26, 'HOU', 'Houston Rockets'), (27, 'UTA', 'Utah Jazz'),
             (28, 'MEM', 'Memphis Grizzlies'), (29, 'SAS', 'San Antonio Spurs'), (30, 'POR', 'Portland Trail Blazers'))
       AS t(ord, code, name);

UPDATE teams SET updated_at = created_at;

-- step: models, strategies and methods
-- Model versions with the parameters of their hidden behaviour: slope (>1 overconfident),
-- lookahead (skill), bias and noise, the validation metrics that behaviour earns, and the
-- features its training runs weigh. Every version is created as a draft; its lifecycle follows
-- in the next step.
CREATE TEMP TABLE demo_model_versions ON COMMIT DROP AS
SELECT * FROM (VALUES
  -- name, version, type, sport, created (fraction of period), slope, lookahead, bias, noise, acc, brier, logloss, ece, auc, config, features
  ('elo_nfl', 'v1.0', 'elo', 'nfl', -0.30, 1.60, 0.20, 0.10, 0.30, 0.6620, 0.2290, 0.6890, 0.0710, 0.7010,
   '{"k_factor": 28, "initial_rating": 1500, "home_advantage": 48, "mov_multiplier": false}',
   ARRAY['rating_diff', 'home_advantage']),
  ('elo_nfl', 'v1.1', 'elo', 'nfl', 0.30, 1.10, 0.40, 0.00, 0.18, 0.6810, 0.2110, 0.6170, 0.0290, 0.7380,
   '{"k_factor": 30, "initial_rating": 1500, "home_advantage": 55, "mov_multiplier": true}',
   ARRAY['rating_diff', 'home_advantage', 'margin_of_victory']),
  ('elo_nfl', 'v2.0', 'elo', 'nfl', 0.58, 1.00, 0.55, 0.00, 0.12, 0.6990, 0.2010, 0.5880, 0.0180, 0.7650,
   '{"k_factor": 24, "initial_rating": 1500, "home_advantage": 55, "mov_multiplier": true, "season_regression": 0.33, "qb_adjustment": true}',
   ARRAY['rating_diff', 'qb_adjustment', 'home_advantage', 'margin_of_victory', 'season_regression']),
  ('elo_nfl', 'v2.1', 'elo', 'nfl', 0.95, 1.00, 0.55, 0.00, 0.12, NULL, NULL, NULL, NULL, NULL,
   '{"k_factor": 22, "initial_rating": 1500, "home_advantage": 50, "mov_multiplier": true, "season_regression": 0.33, "qb_adjustment": true, "rest_days": true}',
   ARRAY['rating_diff', 'qb_adjustment', 'home_advantage', 'margin_of_victory', 'season_regression', 'rest_days']),
  ('regression_nba', 'v1.0', 'regression', 'nba', -0.30, 0.70, 0.20, -0.05, 0.25, 0.6410, 0.2270, 0.6440, 0.0640, 0.6820,
   '{"features": ["net_rating", "pace", "rest_days"], "regularization": "l2", "alpha": 1.0}',
   ARRAY['net_rating', 'pace', 'rest_days']),
  ('regression_nba', 'v1.1', 'regression', 'nba', 0.22, 1.00, 0.40, 0.00, 0.18, 0.6620, 0.2150, 0.6190, 0.0260, 0.7230,
   '{"features": ["net_rating", "pace", "rest_days", "home"], "regularization": "l2", "alpha": 0.5}',
   ARRAY['net_rating', 'home', 'pace', 'rest_days']),
  ('regression_nba', 'v2.0', 'regression', 'nba', 0.62, 1.05, 0.55, 0.00, 0.12, 0.6840, 0.2040, 0.5950, 0.0210, 0.7510,
   '{"features": ["net_rating", "pace", "rest_days", "home", "injuries", "travel_km"], "regularization": "elasticnet", "alpha": 0.3, "l1_ratio": 0.2}',
   ARRAY['net_rating', 'injuries', 'home', 'rest_days', 'pace', 'travel_km']),
  ('ensemble_politics', 'v0.9', 'ensemble', NULL, -0.30, 2.00, 0.10, 0.00, 0.35, 0.6100, 0.2420, 0.7420, 0.0930, 0.6500,
   '{"members": ["polls_avg"], "weights": [1.0], "poll_decay_days": 30}',
   ARRAY['polls_avg', 'poll_recency']),
  ('ensemble_politics', 'v1.0', 'ensemble', NULL, 0.18, 1.30, 0.35, 0.00, 0.22, 0.6450, 0.2230, 0.6520, 0.0480, 0.6990,
   '{"members": ["polls_avg", "fundamentals"], "weights": [0.7, 0.3], "poll_decay_days": 21}',
   ARRAY['polls_avg', 'fundamentals', 'poll_recency']),
  ('ensemble_politics', 'v1.1', 'ensemble', NULL, 0.58, 1.00, 0.55, 0.00, 0.12, 0.6690, 0.2090, 0.6060, 0.0220, 0.7320,
   '{"members": ["polls_avg", "fundamentals", "market"], "weights": [0.5, 0.2, 0.3], "poll_decay_days": 14}',
   ARRAY['polls_avg', 'market', 'fundamentals', 'poll_recency'])
) AS v(model_name, model_version, model_type, sport, created_frac, slope, lookahead, bias, noise,
       acc, brier, logloss, ece, auc, config, features);

INSERT INTO probability_models (model_name, model_version, model_type, sport, config, description, status,
                                validation_accuracy, validation_calibration, validation_sample_size,
                                created_at, created_by)
SELECT v.model_name, v.model_version, v.model_type, v.sport, v.config::jsonb,
       initcap(replace(v.model_name, '_', ' ')) || ' ' || v.model_version,
       'draft', v.acc, CASE WHEN v.ece IS NULL THEN NULL ELSE 1 - v.ece END,
       CASE WHEN v.acc IS NULL THEN NULL ELSE 800 + (pg_temp.u(length(v.model_name) * 10 + ascii(right(v.model_version, 1)), 12) * 1200)::int END,
       pg_temp.at(v.created_frac),
       CASE WHEN v.model_type = 'elo' THEN 'maria.quant' ELSE 'dev.okafor' END
FROM demo_model_versions v
ORDER BY v.model_name, v.model_version;

-- Strategy versions: their entry rule (min edge, the updates of a market they enter in), their
-- exit rules (stop loss, two profit targets, a trailing stop that activates on the way to the
-- first target, as the seed's example: +10% activation, +15% first target), and whether they
-- exit in parts. momentum_scalp exits whole at its one target and has no trailing stop.
CREATE TEMP TABLE demo_strategy_versions ON COMMIT DROP AS
SELECT * FROM (VALUES
  -- name, version, type, sport, created frac, min edge, entry steps, stop, target 1, target 2, trail, activation, partial exits, config
  ('halftime_entry', 'v1.0', 'entry', 'nfl', -0.30, 0.05, 140, 160, 0.20, 0.15, 0.25, 0.05, 0.10, true,
   '{"min_lead": 7, "max_spread": 0.08, "min_edge": 0.05, "stop_loss": 0.20, "profit_targets": [0.15, 0.25], "trailing_activation": 0.10, "trailing_distance": 0.05}'),
  ('halftime_entry', 'v1.1', 'entry', 'nfl', 0.36, 0.07, 140, 160, 0.20, 0.15, 0.25, 0.05, 0.10, true,
   '{"min_lead": 10, "max_spread": 0.08, "min_edge": 0.07, "stop_loss": 0.20, "profit_targets": [0.15, 0.25], "trailing_activation": 0.10, "trailing_distance": 0.05}'),
  ('underdog_fade', 'v1.0', 'entry', 'nba', -0.30, 0.04, 20, 110, 0.25, 0.15, 0.30, 0.06, 0.10, true,
   '{"max_underdog_price": 0.35, "min_edge": 0.04, "stop_loss": 0.25, "profit_targets": [0.15, 0.30], "trailing_activation": 0.10, "trailing_distance": 0.06}'),
  ('underdog_fade', 'v2.0', 'entry', 'nba', 0.45, 0.06, 20, 110, 0.25, 0.15, 0.30, 0.06, 0.10, true,
   '{"max_underdog_price": 0.40, "min_edge": 0.06, "stop_loss": 0.25, "profit_targets": [0.15, 0.30], "trailing_activation": 0.10, "trailing_distance": 0.06, "require_rest_edge": true}'),
  ('momentum_scalp', 'v1.0', 'entry', NULL, 0.25, 0.05, 60, 200, 0.15, 0.12, 0.20, NULL, NULL, false,
   '{"lookback_updates": 12, "min_edge": 0.05, "stop_loss": 0.15, "profit_target": 0.12, "ab_arm": "A", "traffic_split": 0.5}'),
  ('momentum_scalp', 'v1.1', 'entry', NULL, 0.255, 0.05, 60, 200, 0.15, 0.12, 0.20, NULL, NULL, false,
   '{"lookback_updates": 12, "min_edge": 0.05, "stop_loss": 0.15, "profit_target": 0.12, "ab_arm": "B", "traffic_split": 0.5}'),
  ('poll_drift', 'v1.0', 'entry', 'politics', -0.30, 0.04, 10, 200, 0.20, 0.15, 0.25, 0.05, 0.10, true,
   '{"poll_window_days": 14, "min_edge": 0.04, "stop_loss": 0.20, "profit_targets": [0.15, 0.25], "trailing_activation": 0.10, "trailing_distance": 0.05}'),
  ('poll_drift', 'v1.1', 'entry', 'politics', 0.24, 0.06, 10, 200, 0.20, 0.15, 0.25, 0.05, 0.10, true,
   '{"poll_window_days": 7, "min_edge": 0.06, "stop_loss": 0.20, "profit_targets": [0.15, 0.25], "trailing_activation": 0.10, "trailing_distance": 0.05}')
) AS v(strategy_name, strategy_version, strategy_type, sport, created_frac, min_edge, k_lo, k_hi,
       stop_loss, target1, target2, trail, activation, partial_exits, config);

INSERT INTO strategies (strategy_name, strategy_version, strategy_type, sport, config, description, status,
                        created_at, created_by, notes)
SELECT v.strategy_name, v.strategy_version, v.strategy_type, v.sport, v.config::jsonb,
       initcap(replace(v.strategy_name, '_', ' ')) || ' ' || v.strategy_version, 'draft',
       pg_temp.at(v.created_frac), 'maria.quant',
       CASE WHEN v.strategy_name = 'momentum_scalp' AND v.strategy_version = 'v1.1'
            THEN 'A/A control: the same rules as v1.0 on its own arm, to check the A/B pipeline.' END
FROM demo_strategy_versions v
ORDER BY v.strategy_name, v.strategy_version;

-- The story of every version, in fractions of the period (negative: before it starts). Each row
-- is one call of the lifecycle functions (next step); a row without a version rolls the name back.
--  * elo_nfl: v1.0 live from before the period; v1.1 shadow-prices (validating, paper trades)
--    and replaces it at 0.40; v2.0 validates on paper, then runs live beside v1.1 from 0.70 (an
--    A/B of models); v2.1 is a draft.
--  * regression_nba: v1.1 replaces v1.0 at 0.35; v2.0 is still validating (paper only).
--  * ensemble_politics: v1.0 replaces v0.9 at 0.30, is rolled back to v0.9 at 0.33 after a
--    calibration drift alert, and restored at 0.36 by rolling back the roll back; v1.1 validates.
--  * halftime_entry v1.1 and underdog_fade v2.0: created after their control, paper on testing,
--    then live beside the control (each A/B's common window). momentum_scalp v1.0 and v1.1 (the
--    A/A pair, markets split at random between them) go live a moment apart. poll_drift v1.1
--    replaces v1.0 (inactive, later deprecated).
CREATE TEMP TABLE demo_lifecycle ON COMMIT DROP AS
SELECT row_number() OVER (ORDER BY x.frac, x.ord)::int AS step, x.*,
       CASE WHEN x.kind = 'model' AND x.name <> 'elo_nfl' THEN 'dev.okafor' ELSE 'maria.quant' END AS actor
FROM (VALUES
  (1, 'model', 'elo_nfl', 'v1.0', -0.29, 'training', NULL, 'Fit on the 2010-2024 seasons'),
  (2, 'model', 'elo_nfl', 'v1.0', -0.27, 'validating', NULL, 'Training converged; holdout season next'),
  (3, 'model', 'elo_nfl', 'v1.0', -0.25, 'active', 'replace', 'Holdout Brier 0.229, better than the market''s'),
  (4, 'model', 'regression_nba', 'v1.0', -0.29, 'training', NULL, 'Net rating, pace and rest, L2'),
  (5, 'model', 'regression_nba', 'v1.0', -0.27, 'validating', NULL, 'Training converged; holdout season next'),
  (6, 'model', 'regression_nba', 'v1.0', -0.25, 'active', 'replace', 'Holdout accuracy 0.641'),
  (7, 'model', 'ensemble_politics', 'v0.9', -0.29, 'training', NULL, 'Poll average, 30-day decay'),
  (8, 'model', 'ensemble_politics', 'v0.9', -0.27, 'validating', NULL, 'Backtest on the 2022 midterms'),
  (9, 'model', 'ensemble_politics', 'v0.9', -0.25, 'active', 'replace', 'Backtest calibration acceptable'),
  (10, 'strategy', 'halftime_entry', 'v1.0', -0.28, 'testing', NULL, 'Paper trading at halftime'),
  (11, 'strategy', 'halftime_entry', 'v1.0', -0.245, 'active', 'replace', 'Paper ROI positive over two months'),
  (12, 'strategy', 'underdog_fade', 'v1.0', -0.28, 'testing', NULL, 'Paper trading NBA underdogs'),
  (13, 'strategy', 'underdog_fade', 'v1.0', -0.245, 'active', 'replace', 'Paper ROI positive over two months'),
  (14, 'strategy', 'poll_drift', 'v1.0', -0.28, 'testing', NULL, 'Paper trading poll drift'),
  (15, 'strategy', 'poll_drift', 'v1.0', -0.245, 'active', 'replace', 'Paper ROI positive over two months'),
  (16, 'model', 'ensemble_politics', 'v1.0', 0.20, 'training', NULL, 'Fundamentals added to the poll average'),
  (17, 'model', 'ensemble_politics', 'v1.0', 0.24, 'validating', NULL, 'Shadow-pricing beside v0.9'),
  (18, 'model', 'regression_nba', 'v1.1', 0.24, 'training', NULL, 'Home court as a feature, alpha 0.5'),
  (19, 'strategy', 'poll_drift', 'v1.1', 0.26, 'testing', NULL, '7-day poll window and min edge 0.06, on paper first'),
  (20, 'strategy', 'momentum_scalp', 'v1.0', 0.26, 'testing', NULL, 'A/A arm A on paper'),
  (21, 'strategy', 'momentum_scalp', 'v1.1', 0.265, 'testing', NULL, 'A/A arm B on paper: the same rules as v1.0'),
  (22, 'model', 'regression_nba', 'v1.1', 0.27, 'validating', NULL, 'Shadow-pricing beside v1.0'),
  (23, 'strategy', 'momentum_scalp', 'v1.0', 0.28, 'active', 'replace', 'A/A arm A live'),
  (24, 'strategy', 'momentum_scalp', 'v1.1', 0.285, 'active', 'alongside', 'A/A arm B live beside arm A'),
  (25, 'model', 'ensemble_politics', 'v1.0', 0.30, 'active', 'replace', 'Better calibrated than v0.9 in shadow'),
  (26, 'strategy', 'poll_drift', 'v1.1', 0.30, 'active', 'replace', 'Paper results beat v1.0: replace it'),
  (27, 'model', 'elo_nfl', 'v1.1', 0.31, 'training', NULL, 'Margin-of-victory multiplier, K 30'),
  (28, 'model', 'ensemble_politics', NULL, 0.33, 'rollback', NULL, 'Calibration drift alert on v1.0: back to v0.9 while it is checked'),
  (29, 'model', 'elo_nfl', 'v1.1', 0.332, 'validating', NULL, 'Shadow-pricing beside v1.0'),
  (30, 'model', 'regression_nba', 'v1.1', 0.35, 'active', 'replace', 'Better Brier than v1.0 in shadow'),
  (31, 'model', 'ensemble_politics', NULL, 0.36, 'rollback', NULL, 'The drift came from a stale poll feed, not the model: v1.0 restored'),
  (32, 'strategy', 'halftime_entry', 'v1.1', 0.38, 'testing', NULL, 'min_lead 10 and min edge 0.07, on paper first'),
  (33, 'model', 'elo_nfl', 'v1.1', 0.40, 'active', 'replace', 'Shadow calibration better than v1.0 (ECE 0.029 against 0.071)'),
  (34, 'strategy', 'poll_drift', 'v1.0', 0.45, 'deprecated', NULL, 'Retired: v1.1 has replaced it for a season'),
  (35, 'strategy', 'underdog_fade', 'v2.0', 0.48, 'testing', NULL, 'Stricter edge and a rest filter, on paper first'),
  (36, 'strategy', 'halftime_entry', 'v1.1', 0.55, 'active', 'alongside', 'Paper results hold up: A/B against v1.0 live'),
  (37, 'model', 'elo_nfl', 'v2.0', 0.60, 'training', NULL, 'Season regression and a QB adjustment'),
  (38, 'model', 'ensemble_politics', 'v1.1', 0.60, 'training', NULL, 'The market price as a member'),
  (39, 'strategy', 'underdog_fade', 'v2.0', 0.60, 'active', 'alongside', 'Paper results hold up: A/B against v1.0 live'),
  (40, 'model', 'elo_nfl', 'v2.0', 0.63, 'validating', NULL, 'Paper trades beside v1.1'),
  (41, 'model', 'regression_nba', 'v2.0', 0.64, 'training', NULL, 'Injury and travel features, elastic net'),
  (42, 'model', 'ensemble_politics', 'v1.1', 0.65, 'validating', NULL, 'Paper trades with poll_drift v1.1'),
  (43, 'model', 'elo_nfl', 'v2.0', 0.70, 'active', 'alongside', 'A/B against v1.1 on live halftime entries'),
  (44, 'model', 'regression_nba', 'v2.0', 0.70, 'validating', NULL, 'Paper trades with underdog_fade v2.0')
) AS x(ord, kind, name, version, frac, to_status, mode, reason);

-- Which strategy version prices and trades with which model version, in which window
-- (fractions of the period; -1 and 2: open-ended). A pair trades only while both its versions
-- trade by their recorded status (demo_pair_spans below), so the window only says who pairs with
-- whom: a strategy moves to the new model version when the old one is replaced.
CREATE TEMP TABLE demo_pairs ON COMMIT DROP AS
SELECT row_number() OVER (ORDER BY x.sport, x.strategy_name, x.strategy_version, x.model_name, x.model_version)::int AS pair_id,
       row_number() OVER (PARTITION BY x.sport ORDER BY x.strategy_name, x.strategy_version, x.model_name, x.model_version)::int AS slot,
       x.sport, s.strategy_id, m.model_id, x.w0, x.w1,
       -- the A/A arms split the markets between them at random, half each, as a live A/A test would
       CASE WHEN x.strategy_name = 'momentum_scalp' THEN (x.strategy_version = 'v1.1')::int END AS aa_arm,
       -- the share of entries sent as market orders (the rest are limit orders at the quote): the
       -- scalper and the halftime entry take the price, the slower strategies rest a limit
       CASE x.strategy_name WHEN 'momentum_scalp' THEN 0.7 WHEN 'halftime_entry' THEN 0.5 ELSE 0.25 END AS market_share,
       sv.min_edge, sv.k_lo, sv.k_hi, sv.stop_loss, sv.target1, sv.target2, sv.trail, sv.activation, sv.partial_exits,
       mv.slope, mv.lookahead, mv.bias, mv.noise
FROM (VALUES
  ('nfl', 'halftime_entry', 'v1.0', 'elo_nfl', 'v1.0', -1.0, 0.40),
  ('nfl', 'halftime_entry', 'v1.0', 'elo_nfl', 'v1.1', 0.40, 2.0),
  ('nfl', 'halftime_entry', 'v1.1', 'elo_nfl', 'v1.1', 0.36, 2.0),
  ('nfl', 'halftime_entry', 'v1.1', 'elo_nfl', 'v2.0', 0.63, 2.0),
  ('nfl', 'momentum_scalp', 'v1.0', 'elo_nfl', 'v1.0', -1.0, 0.40),
  ('nfl', 'momentum_scalp', 'v1.0', 'elo_nfl', 'v1.1', 0.40, 2.0),
  ('nfl', 'momentum_scalp', 'v1.1', 'elo_nfl', 'v1.0', -1.0, 0.40),
  ('nfl', 'momentum_scalp', 'v1.1', 'elo_nfl', 'v1.1', 0.40, 2.0),
  ('nba', 'underdog_fade', 'v1.0', 'regression_nba', 'v1.0', -1.0, 0.35),
  ('nba', 'underdog_fade', 'v1.0', 'regression_nba', 'v1.1', 0.35, 2.0),
  ('nba', 'underdog_fade', 'v2.0', 'regression_nba', 'v1.1', 0.45, 2.0),
  ('nba', 'underdog_fade', 'v2.0', 'regression_nba', 'v2.0', 0.70, 2.0),
  ('nba', 'momentum_scalp', 'v1.0', 'regression_nba', 'v1.0', -1.0, 0.35),
  ('nba', 'momentum_scalp', 'v1.0', 'regression_nba', 'v1.1', 0.35, 2.0),
  ('nba', 'momentum_scalp', 'v1.1', 'regression_nba', 'v1.0', -1.0, 0.35),
  ('nba', 'momentum_scalp', 'v1.1', 'regression_nba', 'v1.1', 0.35, 2.0),
  ('politics', 'poll_drift', 'v1.0', 'ensemble_politics', 'v0.9', -1.0, 2.0),
  ('politics', 'poll_drift', 'v1.1', 'ensemble_politics', 'v0.9', -1.0, 2.0),
  ('politics', 'poll_drift', 'v1.1', 'ensemble_politics', 'v1.0', 0.30, 2.0),
  ('politics', 'poll_drift', 'v1.1', 'ensemble_politics', 'v1.1', 0.65, 2.0)
) AS x(sport, strategy_name, strategy_version, model_name, model_version, w0, w1)
JOIN strategies s USING (strategy_name, strategy_version)
JOIN probability_models m USING (model_name, model_version)
JOIN demo_strategy_versions sv USING (strategy_name, strategy_version)
JOIN demo_model_versions mv USING (model_name, model_version);

INSERT INTO method_templates (template_name, description, position_mgmt_config, risk_config, execution_config, sport_config, created_at)
SELECT t.template_name, t.description, t.position_mgmt_config::jsonb, t.risk_config::jsonb, t.execution_config::jsonb,
       t.sport_config::jsonb, p.period_start - interval '90 days'
FROM demo_params p,
     (VALUES ('conservative', 'Small Kelly, tight stops, low max position',
              '{"stop_loss": 0.10, "trailing_distance": 0.04}', '{"kelly_fraction": 0.15, "max_position_usd": 200}',
              '{"order_type": "limit", "walk_cents": 1, "max_attempts": 3}', NULL),
             ('moderate', 'Medium Kelly, normal stops, medium max position',
              '{"stop_loss": 0.20, "trailing_distance": 0.05}', '{"kelly_fraction": 0.25, "max_position_usd": 500}',
              '{"order_type": "limit", "walk_cents": 1, "max_attempts": 4}', NULL),
             ('aggressive', 'Large Kelly, wide stops, high max position',
              '{"stop_loss": 0.30, "trailing_distance": 0.07}', '{"kelly_fraction": 0.35, "max_position_usd": 1000}',
              '{"order_type": "market", "walk_cents": 2, "max_attempts": 2}', '{"nfl": {"max_position_usd": 800}}'))
     AS t(template_name, description, position_mgmt_config, risk_config, execution_config, sport_config)
ORDER BY t.template_name;

-- Methods bundle a pair under a template from the moment its model version went live.
INSERT INTO methods (method_name, method_version, strategy_id, model_id, position_mgmt_config, risk_config,
                     execution_config, sport_config, config_hash, status, activated_at, description, created_by, created_at)
SELECT x.method_name, 'v1.0', pa.strategy_id, pa.model_id, t.position_mgmt_config, t.risk_config, t.execution_config,
       coalesce(t.sport_config, '{}'::jsonb),
       md5(t.position_mgmt_config::text || t.risk_config::text || t.execution_config::text || coalesce(t.sport_config, '{}'::jsonb)::text),
       'active', pg_temp.at(x.frac), x.description, 'maria.quant', pg_temp.at(x.frac)
FROM (VALUES ('conservative_nfl', 'conservative', 'nfl', 'halftime_entry', 'v1.0', 'elo_nfl', 'v1.1', 0.40,
              'Halftime entry with Elo v1.1 under conservative risk'),
             ('moderate_nba', 'moderate', 'nba', 'underdog_fade', 'v1.0', 'regression_nba', 'v1.1', 0.35,
              'Underdog fade with regression v1.1 under moderate risk'))
     AS x(method_name, template_name, sport, strategy_name, strategy_version, model_name, model_version, frac, description)
JOIN method_templates t USING (template_name)
JOIN strategies s USING (strategy_name, strategy_version)
JOIN probability_models m USING (model_name, model_version)
JOIN demo_pairs pa ON pa.strategy_id = s.strategy_id AND pa.model_id = m.model_id;

-- step: version lifecycles
-- Every step of the story above goes through the lifecycle functions the Admin actions use
-- (schema.sql, "Version lifecycle"), so the status history is the database's own record. Each
-- call passes p_at, the moment of the step: the functions stamp the history with it (through
-- their transaction-local setting precog.status_at) and refuse a moment out of order. A bulk load
-- runs with row triggers off (session_replication_role = replica), and the history is written by
-- a row trigger, so this step runs with them on.
DO $$
DECLARE
    bulk boolean := current_setting('session_replication_role') = 'replica';
    s record;
BEGIN
    IF bulk THEN
        PERFORM set_config('session_replication_role', 'origin', true);
    END IF;
    FOR s IN SELECT l.*, v.version_id, pg_temp.at(l.frac) AS at
             FROM demo_lifecycle l
             LEFT JOIN lifecycle_versions v ON v.kind = l.kind AND v.name = l.name AND v.version = l.version
             ORDER BY l.step LOOP
        IF s.to_status = 'rollback' THEN
            PERFORM rollback_version(s.kind, s.name, s.actor, s.reason, NULL, s.at);
        ELSE
            PERFORM transition_version_status(s.kind, s.version_id, s.to_status, s.actor, s.reason,
                                              coalesce(s.mode, 'replace'), NULL, s.at);
        END IF;
    END LOOP;
    IF bulk THEN
        PERFORM set_config('session_replication_role', 'replica', true);
    END IF;
END $$;

-- What each version's deprecation note says, now that its fate is recorded.
UPDATE probability_models SET notes = CASE status WHEN 'deprecated' THEN 'Superseded; kept for attribution of historical trades.'
                                                  WHEN 'draft' THEN 'Candidate for next season.' END
WHERE status IN ('deprecated', 'draft');

-- The recorded statuses as spans (the database's own view), and the spans in which each pair
-- trades: both versions in a trading status (strategy testing or active, model validating or
-- active) inside the pair's window; live when both are active, paper otherwise.
CREATE TEMP TABLE demo_spans ON COMMIT DROP AS
SELECT kind, version_id, status, since, until FROM version_status_spans;

CREATE TEMP TABLE demo_pair_spans ON COMMIT DROP AS
SELECT pa.pair_id, greatest(s.since, m.since, pg_temp.at(pa.w0)) AS t0, least(s.until, m.until, pg_temp.at(pa.w1)) AS t1,
       CASE WHEN s.status = 'active' AND m.status = 'active' THEN 'live' ELSE 'paper' END AS mode
FROM demo_pairs pa
JOIN demo_spans s ON s.kind = 'strategy' AND s.version_id = pa.strategy_id AND version_trading_mode('strategy', s.status) IS NOT NULL
JOIN demo_spans m ON m.kind = 'model' AND m.version_id = pa.model_id AND version_trading_mode('model', m.status) IS NOT NULL
WHERE greatest(s.since, m.since, pg_temp.at(pa.w0)) < least(s.until, m.until, pg_temp.at(pa.w1));
CREATE INDEX ON demo_pair_spans (pair_id, t0);
ANALYZE demo_pair_spans;

-- step: events and market price paths
-- Events spread evenly over the period and a week past as-of (scheduled and live ones).
CREATE TEMP TABLE demo_events ON COMMIT DROP AS
WITH base AS (
    SELECT i AS event_num,
           CASE WHEN pg_temp.u(i, 21) < 0.30 THEN 'nfl' WHEN pg_temp.u(i, 21) < 0.85 THEN 'nba' ELSE 'politics' END AS sport,
           p.period_start + make_interval(secs => (p.years * 365 + 6) * 86400 * (i - 0.5 + 0.8 * (pg_temp.u(i, 22) - 0.5)) / n.n_events) AS raw_start,
           p.period_start, p.years, p.as_of
    FROM demo_params p
    CROSS JOIN LATERAL (SELECT greatest(16, round(1000 * p.years))::int AS n_events) n
    CROSS JOIN generate_series(1, n.n_events) i
    UNION ALL
    -- and four games in play at as-of, a busy evening (the Position exits monitor has positions in flight)
    SELECT n.n_events + x.j, x.sport, p.as_of - x.before, p.period_start, p.years, p.as_of
    FROM demo_params p
    CROSS JOIN LATERAL (SELECT greatest(16, round(1000 * p.years))::int AS n_events) n
    CROSS JOIN (VALUES (1, 'nba', interval '75 minutes'), (2, 'nfl', interval '2 hours'), (3, 'nba', interval '130 minutes'),
                       (4, 'nfl', interval '3 hours')) x(j, sport, before)
)
SELECT b.event_num, b.sport,
       -- kick-off on the hour (sports) or at noon (politics resolution)
       CASE WHEN b.sport = 'politics' THEN date_trunc('day', b.raw_start) + interval '12 hours'
            ELSE date_trunc('hour', b.raw_start) END AS start_time,
       CASE b.sport WHEN 'nfl' THEN interval '3 hours 30 minutes' WHEN 'nba' THEN interval '2 hours 30 minutes'
                    ELSE interval '10 days' END AS duration,
       CASE b.sport WHEN 'nfl' THEN interval '3 days' WHEN 'nba' THEN interval '1 day' ELSE interval '20 days' END AS lead,
       CASE b.sport WHEN 'nfl' THEN 'kalshi'
                    WHEN 'nba' THEN CASE WHEN pg_temp.u(b.event_num, 23) < 0.7 THEN 'kalshi' ELSE 'polymarket' END
                    ELSE CASE WHEN pg_temp.u(b.event_num, 23) < 0.4 THEN 'kalshi' ELSE 'polymarket' END END AS platform_id,
       1 + floor(pg_temp.u(b.event_num, 24) * CASE WHEN b.sport = 'nfl' THEN 32 ELSE 30 END)::int AS home_ord,
       b.as_of, b.period_start, b.years
FROM base b;

ALTER TABLE demo_events ADD COLUMN away_ord int, ADD COLUMN series_id text, ADD COLUMN event_id text,
                        ADD COLUMN home_code text, ADD COLUMN away_code text, ADD COLUMN home_name text, ADD COLUMN away_name text;
UPDATE demo_events e
SET away_ord = 1 + (e.home_ord + floor(pg_temp.u(e.event_num, 25) * (CASE WHEN e.sport = 'nfl' THEN 31 ELSE 29 END))::int)
                   % CASE WHEN e.sport = 'nfl' THEN 32 ELSE 30 END,
    series_id = CASE WHEN e.sport = 'nfl' THEN 'KXNFLGAME'
                     WHEN e.sport = 'nba' AND e.platform_id = 'kalshi' THEN 'KXNBAGAME'
                     WHEN e.sport = 'nba' THEN 'PM-NBA'
                     WHEN e.platform_id = 'kalshi' THEN 'KXPOLITICS' ELSE 'PM-POLITICS' END;
UPDATE demo_events e
SET home_code = h.team_code, home_name = h.team_name, away_code = a.team_code, away_name = a.team_name
FROM (SELECT team_code, team_name, sport, row_number() OVER (PARTITION BY sport ORDER BY team_id) AS ord FROM teams) h,
     (SELECT team_code, team_name, sport, row_number() OVER (PARTITION BY sport ORDER BY team_id) AS ord FROM teams) a
WHERE e.sport IN ('nfl', 'nba') AND h.sport = e.sport AND h.ord = e.home_ord AND a.sport = e.sport AND a.ord = e.away_ord;
UPDATE demo_events
SET home_code = (ARRAY['SEN-PA', 'GOV-GA', 'SEN-OH', 'GOV-AZ', 'SEN-MI', 'HOUSE', 'APPROVAL', 'SEN-WI'])[1 + event_num % 8],
    home_name = (ARRAY['Pennsylvania Senate', 'Georgia Governor', 'Ohio Senate', 'Arizona Governor', 'Michigan Senate',
                       'House control', 'Presidential approval above 45%', 'Wisconsin Senate'])[1 + event_num % 8],
    away_code = 'X', away_name = NULL
WHERE sport = 'politics';
UPDATE demo_events
SET event_id = series_id || '-' || upper(to_char(start_time, 'YYMONDD')) || away_code || home_code || '-' || event_num;

-- Two binary markets per event. Each has 250 price updates: 50 before the event starts, 200
-- during it; its hidden logit walks slowly before and fast during.
CREATE TEMP TABLE demo_markets ON COMMIT DROP AS
SELECT (e.event_num - 1) * 2 + j AS market_num, j AS kind, e.*,
       e.event_id || CASE j WHEN 1 THEN '-WIN' ELSE '-TOT' END AS market_id,
       e.start_time - e.lead AS open_ts,
       e.start_time + e.duration AS close_ts,
       extract(epoch FROM (e.start_time - e.lead - e.period_start)) / (e.years * 365 * 86400) AS open_frac
FROM demo_events e CROSS JOIN generate_series(1, 2) j
WHERE e.start_time - e.lead <= e.as_of;

CREATE TEMP TABLE demo_path ON COMMIT DROP AS
SELECT m.market_num, k,
       CASE WHEN k < 50 THEN m.open_ts + (m.start_time - m.open_ts) * (k / 50.0)
            ELSE m.start_time + m.duration * ((k - 50) / 200.0) END
         -- jitter of at most half a step, so updates stay in order
         + make_interval(secs => floor(pg_temp.u(m.market_num * 1000 + k, 31)
                                       * least(50, 0.5 * extract(epoch FROM CASE WHEN k < 50 THEN (m.start_time - m.open_ts) / 50
                                                                                 ELSE m.duration / 200 END)))) AS ts,
       pg_temp.n(m.market_num, 32)
         + sum(pg_temp.n(m.market_num * 1000 + k, 33) * CASE WHEN k < 50 THEN 0.03 ELSE 0.11 END)
           OVER (PARTITION BY m.market_num ORDER BY k) AS l
FROM demo_markets m CROSS JOIN generate_series(0, 249) k;

ALTER TABLE demo_markets ADD COLUMN l_final float8, ADD COLUMN outcome int, ADD COLUMN k_last int,
                         ADD COLUMN settled boolean, ADD COLUMN spread numeric;
UPDATE demo_markets m
SET l_final = f.l_final,
    outcome = CASE WHEN pg_temp.u(m.market_num, 34) < pg_temp.sigmoid(f.l_final) THEN 1 ELSE 0 END,
    k_last = f.k_last,
    settled = m.close_ts + interval '5 minutes' <= m.as_of,
    spread = 0.01 * (1 + floor(pg_temp.u(m.market_num, 35) * 3))
FROM (SELECT x.market_num,
             max(x.l) FILTER (WHERE x.k = 249) AS l_final,
             max(x.k) FILTER (WHERE x.ts <= mm.as_of) AS k_last
      FROM demo_path x JOIN demo_markets mm USING (market_num)
      GROUP BY x.market_num) f
WHERE f.market_num = m.market_num;
CREATE INDEX ON demo_markets (market_num);
ANALYZE demo_markets;

-- The quoted prices at every update that has happened by as-of.
CREATE TEMP TABLE demo_prices ON COMMIT DROP AS
SELECT x.market_num, x.k, x.ts, x.l, x.yes_price,
       least(0.99, 1 - x.yes_price + m.spread) AS no_price,
       lead(x.ts) OVER (PARTITION BY x.market_num ORDER BY x.k) AS next_ts
FROM (SELECT p.*, pg_temp.cents(pg_temp.sigmoid(p.l + 0.08 * pg_temp.n(p.market_num * 1000 + p.k, 36))) AS yes_price
      FROM demo_path p) x
JOIN demo_markets m ON m.market_num = x.market_num
WHERE x.ts <= m.as_of;
CREATE INDEX ON demo_prices (market_num, k);
ANALYZE demo_prices;

-- step: events, markets and game states
INSERT INTO events (event_id, platform_id, series_id, external_id, category, subcategory, title, description,
                    start_time, end_time, status, result, metadata, created_at, updated_at)
SELECT e.event_id, e.platform_id, e.series_id, lower(e.event_id),
       CASE WHEN e.sport = 'politics' THEN 'politics' ELSE 'sports' END,
       CASE WHEN e.sport = 'politics' THEN 'presidential' ELSE e.sport END,
       CASE WHEN e.sport = 'politics' THEN e.home_name ELSE e.away_name || ' at ' || e.home_name END,
       NULL, e.start_time, e.start_time + e.duration,
       CASE WHEN e.start_time + e.duration <= e.as_of THEN 'final' WHEN e.start_time <= e.as_of THEN 'live' ELSE 'scheduled' END,
       CASE WHEN e.start_time + e.duration <= e.as_of
            THEN jsonb_build_object('winner', CASE WHEN w.outcome = 1 THEN 'home' ELSE 'away' END) END,
       CASE WHEN e.sport = 'politics' THEN NULL
            ELSE jsonb_build_object('home', e.home_code, 'away', e.away_code) END,
       e.start_time - e.lead - interval '1 day', e.start_time - e.lead
FROM demo_events e
LEFT JOIN demo_markets w ON w.event_num = e.event_num AND w.kind = 1;

INSERT INTO markets (market_id, platform_id, event_id, external_id, ticker, title, market_type, yes_price, no_price,
                     volume, open_interest, spread, status, settlement_value, metadata, created_at, updated_at,
                     row_current_ind, row_end_ts)
SELECT m.market_id, m.platform_id, m.event_id,
       CASE WHEN m.platform_id = 'polymarket' THEN '0x' || left(md5(m.market_id), 40) ELSE m.market_id END,
       m.market_id,
       CASE WHEN m.sport = 'politics' AND m.kind = 1 THEN m.home_name || ': yes?'
            WHEN m.sport = 'politics' THEN m.home_name || ': margin above 5 points?'
            WHEN m.kind = 1 THEN 'Will ' || m.home_name || ' beat ' || m.away_name || '?'
            ELSE m.away_name || ' at ' || m.home_name || ': total points over the line?' END,
       'binary', r.yes_price, r.no_price, r.volume, (r.volume * 0.6)::int, r.spread, r.status, r.settlement_value,
       NULL, r.ts, r.ts,
       row_number() OVER (PARTITION BY m.market_id ORDER BY r.ts DESC) = 1,
       lead(r.ts) OVER w
FROM demo_markets m
JOIN LATERAL (
    SELECT p.ts, p.yes_price, p.no_price, m.spread,
           (p.k * (20 + 60 * pg_temp.u(m.market_num, 37)))::int AS volume, 'open' AS status, NULL::numeric AS settlement_value
    FROM demo_prices p WHERE p.market_num = m.market_num
    UNION ALL
    SELECT m.close_ts + interval '5 minutes', m.outcome, 1 - m.outcome, 0,
           (250 * (20 + 60 * pg_temp.u(m.market_num, 37)))::int, 'settled', m.outcome
    WHERE m.settled
    UNION ALL
    -- the feed re-quotes every open market continuously: its latest quote is seconds old
    SELECT greatest(m.as_of - make_interval(secs => 5 + floor(pg_temp.u(m.market_num, 38) * 85)), lp.ts + interval '1 second'),
           lp.yes_price, lp.no_price, m.spread, (lp.k * (20 + 60 * pg_temp.u(m.market_num, 37)))::int, 'open', NULL
    FROM (SELECT p.ts, p.k, p.yes_price, p.no_price FROM demo_prices p WHERE p.market_num = m.market_num
          ORDER BY p.k DESC LIMIT 1) lp
    WHERE NOT m.settled AND lp.ts < m.as_of - interval '90 seconds'
) r ON true
WINDOW w AS (PARTITION BY m.market_id ORDER BY r.ts ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING);

-- Game states: a scheduled row the day before, 200 in-game updates, and the final whistle. The
-- final score agrees with the winner market.
INSERT INTO game_states (event_id, external_game_id, sport, home_team, away_team, home_score, away_score, period,
                         time_remaining, possession, status, sport_metadata, created_at, updated_at,
                         row_current_ind, row_end_ts)
SELECT g.event_id, g.external_game_id, g.sport, g.home_team, g.away_team, g.home_score, g.away_score, g.period,
       g.time_remaining, g.possession, g.status, g.sport_metadata, g.ts, g.ts,
       row_number() OVER (PARTITION BY g.event_id ORDER BY g.ts DESC) = 1, lead(g.ts) OVER w
FROM (
    SELECT e.event_id, 'g' || e.event_num AS external_game_id, e.sport, e.home_code AS home_team, e.away_code AS away_team,
           s.g, s.ts, s.status, s.period, s.time_remaining, s.possession, s.sport_metadata,
           CASE WHEN s.status = 'final' AND w.outcome = 1 AND s.home_score <= s.away_score THEN s.away_score + 1 + (e.event_num % 3)
                ELSE s.home_score END AS home_score,
           CASE WHEN s.status = 'final' AND w.outcome = 0 AND s.away_score <= s.home_score THEN s.home_score + 1 + (e.event_num % 3)
                ELSE s.away_score END AS away_score
    FROM demo_events e
    JOIN demo_markets w ON w.event_num = e.event_num AND w.kind = 1
    CROSS JOIN LATERAL (
        SELECT g, ts, status, period, time_remaining, possession, sport_metadata,
               (sum(hp) OVER (ORDER BY g))::int AS home_score, (sum(ap) OVER (ORDER BY g))::int AS away_score
        FROM (
            SELECT g,
                   CASE WHEN g < 0 THEN e.start_time - interval '1 day'
                        WHEN g >= 200 THEN e.start_time + e.duration
                        ELSE e.start_time + e.duration * (g / 200.0) END AS ts,
                   CASE WHEN g < 0 THEN 'scheduled' WHEN g >= 200 THEN 'final' WHEN g = 100 THEN 'halftime' ELSE 'live' END AS status,
                   CASE WHEN g < 0 THEN NULL WHEN g >= 200 THEN 'Final' WHEN g = 100 THEN 'Halftime'
                        ELSE 'Q' || (1 + g / 50) END AS period,
                   CASE WHEN g < 0 OR g >= 200 OR g = 100 THEN '00:00'
                        ELSE to_char(make_interval(secs => (50 - g % 50) * CASE WHEN e.sport = 'nfl' THEN 18 ELSE 14.4 END), 'MI:SS') END AS time_remaining,
                   CASE WHEN g BETWEEN 0 AND 199 THEN CASE WHEN pg_temp.u(e.event_num * 1000 + g, 41) < 0.5 THEN 'home' ELSE 'away' END END AS possession,
                   CASE WHEN e.sport = 'nfl' AND g BETWEEN 0 AND 199
                        THEN jsonb_build_object('down', 1 + floor(pg_temp.u(e.event_num * 1000 + g, 42) * 4)::int,
                                                'distance', 1 + floor(pg_temp.u(e.event_num * 1000 + g, 43) * 10)::int) END AS sport_metadata,
                   CASE WHEN g < 0 OR g >= 200 THEN 0
                        WHEN e.sport = 'nfl' THEN CASE WHEN pg_temp.u(e.event_num * 1000 + g, 44) < 0.030 THEN 7
                                                       WHEN pg_temp.u(e.event_num * 1000 + g, 44) < 0.045 THEN 3 ELSE 0 END
                        ELSE CASE WHEN pg_temp.u(e.event_num * 1000 + g, 44) < 0.18 THEN 2
                                  WHEN pg_temp.u(e.event_num * 1000 + g, 44) < 0.23 THEN 3
                                  WHEN pg_temp.u(e.event_num * 1000 + g, 44) < 0.27 THEN 1 ELSE 0 END END AS hp,
                   CASE WHEN g < 0 OR g >= 200 THEN 0
                        WHEN e.sport = 'nfl' THEN CASE WHEN pg_temp.u(e.event_num * 1000 + g, 45) < 0.030 THEN 7
                                                       WHEN pg_temp.u(e.event_num * 1000 + g, 45) < 0.045 THEN 3 ELSE 0 END
                        ELSE CASE WHEN pg_temp.u(e.event_num * 1000 + g, 45) < 0.18 THEN 2
                                  WHEN pg_temp.u(e.event_num * 1000 + g, 45) < 0.23 THEN 3
                                  WHEN pg_temp.u(e.event_num * 1000 + g, 45) < 0.27 THEN 1 ELSE 0 END END AS ap
            FROM generate_series(-1, 200) g
        ) steps
        WHERE steps.ts <= e.as_of
    ) s
    WHERE e.sport IN ('nfl', 'nba')
) g
WINDOW w AS (PARTITION BY g.event_id ORDER BY g.ts ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING);

-- step: edges
-- A model version prices every update of the markets its pair covers while the pair trades
-- (demo_pair_spans); the edge is the better side's expected value per contract. It is computed
-- a moment after the price update (0.3-2.5 s), and an order it triggers goes out a moment after
-- that (0.2-3 s) and fills within half a second. edge_id is a function of (market, update, pair)
-- so positions can name the edge that triggered them without a lookup.
CREATE TEMP VIEW demo_edge_calc AS
SELECT pa.pair_id, pa.strategy_id, pa.model_id, pa.min_edge, pa.k_lo, pa.k_hi,
       m.market_num, m.market_id, m.platform_id, pr.k, pr.ts, pr.yes_price, pr.no_price,
       x.edge_id, x.edge_at,
       x.edge_at + make_interval(secs => 0.2 + pg_temp.u(x.edge_id, 53) * 2.8) AS trade_at,
       c.p,
       CASE WHEN c.p - pr.yes_price::float8 >= (1 - c.p) - pr.no_price::float8 THEN 'yes' ELSE 'no' END AS side,
       greatest(c.p - pr.yes_price::float8, (1 - c.p) - pr.no_price::float8) AS ev,
       pa.stop_loss, pa.target1, pa.target2, pa.trail, pa.activation, pa.partial_exits
FROM demo_markets m
JOIN demo_pairs pa ON pa.sport = m.sport
                    AND (pa.aa_arm IS NULL OR pa.aa_arm = (pg_temp.u(m.market_num, 77) < 0.5)::int)
JOIN demo_prices pr ON pr.market_num = m.market_num
CROSS JOIN LATERAL (
    SELECT ((m.market_num - 1) * 250 + pr.k) * 10 + pa.slot AS edge_id,
           pr.ts + make_interval(secs => 0.3 + pg_temp.u(((m.market_num - 1) * 250 + pr.k) * 10 + pa.slot, 52) * 2.2) AS edge_at
) x
CROSS JOIN LATERAL (
    SELECT least(0.9999, greatest(0.0001, pg_temp.sigmoid(
               pa.slope * (pr.l + pa.lookahead * (m.l_final - pr.l)) + pa.bias
               + pa.noise * pg_temp.n(m.market_num * 1000 + pr.k, 50 + pa.model_id)))) AS p
) c
WHERE EXISTS (SELECT 1 FROM demo_pair_spans ps WHERE ps.pair_id = pa.pair_id AND x.edge_at >= ps.t0 AND x.edge_at < ps.t1);

-- A strategy version opens at most one position per market: on its first auto_execute edge
-- inside its entry window whose order goes out while the pair trades (paper or live, as the pair
-- trades at that moment).
-- Execution costs: the edge is priced on the held contract's quote; a market order pays part of
-- the spread on top of it (0-3 cents, mostly 0-1, more where the spread is wide, and now and then
-- a cent or two more on a thin market or a long shot); a limit order rests at the quote and fills
-- there, or a cent better one time in five. The position's entry price is the fill.
CREATE TEMP TABLE demo_entries ON COMMIT DROP AS
SELECT row_number() OVER (ORDER BY x.trade_at, x.pair_id)::int AS position_id, x.*,
       x.model_id AS trade_model_id,  -- the model version the trade names (see the deliberate faults)
       x.trade_at + make_interval(secs => 0.04 + pg_temp.u(x.edge_id, 71) * 0.4) AS fill_at,
       (10 * (1 + floor(pg_temp.u(x.edge_id, 61) * 20)))::int AS qty, ep.quote_price, ep.order_type, ep.entry_price,
       -- the trailing stop's activation price, a quotable price (whole cents) at least a cent above entry
       CASE WHEN x.activation IS NOT NULL
            THEN greatest(ep.entry_price + 0.01, round(ep.entry_price * (1 + x.activation), 2)) END AS activation_price
FROM (
    SELECT DISTINCT ON (c.market_num, c.strategy_id) c.*, ps.mode AS execution_mode
    FROM demo_edge_calc c
    JOIN demo_pair_spans ps ON ps.pair_id = c.pair_id AND c.trade_at >= ps.t0 AND c.trade_at < ps.t1
    WHERE c.k BETWEEN c.k_lo AND c.k_hi AND c.ev >= c.min_edge AND c.ev >= 0.04
    ORDER BY c.market_num, c.strategy_id, c.trade_at, c.pair_id
) x
JOIN demo_markets mk ON mk.market_num = x.market_num  -- the spread: how thin the market is
JOIN demo_pairs pa ON pa.pair_id = x.pair_id           -- the strategy's share of market orders
CROSS JOIN LATERAL (SELECT CASE WHEN x.side = 'yes' THEN x.yes_price ELSE x.no_price END AS quote_price) q
CROSS JOIN LATERAL (SELECT (CASE WHEN pg_temp.u(x.edge_id, 54) < pa.market_share THEN 'market' ELSE 'limit' END)::text AS order_type) ot
CROSS JOIN LATERAL (
    SELECT q.quote_price, ot.order_type,
           CASE WHEN ot.order_type = 'market'
                THEN least(0.99, q.quote_price + 0.01 * (
                         floor(pg_temp.u(x.edge_id, 56) ^ 2 * (1 + round(mk.spread * 100)))::int
                         + CASE WHEN (q.quote_price <= 0.20 OR mk.spread >= 0.03) AND pg_temp.u(x.edge_id, 57) < 0.12
                                THEN 1 + (pg_temp.u(x.edge_id, 57) < 0.04)::int ELSE 0 END))
                WHEN pg_temp.u(x.edge_id, 58) < 0.2 THEN greatest(0.01, q.quote_price - 0.01)
                ELSE q.quote_price END AS entry_price
) ep;
CREATE INDEX ON demo_entries (position_id);

-- Deliberate faults, so the attribution audit (schema.sql, "Attribution audit") has something to
-- find in the demo data; everything else obeys time. Each is one position chosen by the seed among
-- those that fit (a small load may have none that fit, and then has fewer):
--   1. edge_late (3 entry trades): the writer recorded the triggering edge after the order:
--      the edge's created_at is 1-40 s after the trade (audit: trade before its edge).
--   2. deprecated_model (1 entry trade): a host kept running elo_nfl v1.0 after v1.1 replaced
--      it; on one market it priced the update (an edge of its own) and halftime_entry v1.0
--      traded on it, live, more than a day after v1.0 was deprecated (audit: model version not
--      validating or active at the time; the Models page's as-of answer for that day says so).
--   3. live_while_testing (1 entry trade): halftime_entry v1.1 placed one live order while it
--      was still testing, with elo_nfl v1.1 active (audit: live entry by a strategy version still
--      testing).
--   4. mislabelled_model (1 entry trade): a halftime_entry v1.1 order, priced by elo_nfl v1.1,
--      names elo_nfl v2.0 (both active then), and so do its exits (audit: the trade and its edge
--      name different versions).
--   5. duplicate_fill (1 position): the exit fill of a closed position with one exit was
--      recorded twice (audit: a position whose trades do not add up to its quantity).
CREATE TEMP TABLE demo_faults ON COMMIT DROP AS
WITH v AS (
    SELECT s.strategy_id, s.strategy_name || ' ' || s.strategy_version AS strategy, m.model_id,
           m.model_name || ' ' || m.model_version AS model
    FROM strategies s CROSS JOIN probability_models m
),
deprecated_model AS (
    -- the first halftime_entry v1.0 entry with elo_nfl v1.1 a day after v1.0's deprecation, on a
    -- market that opened after it (no edge of v1.0 on it yet)
    SELECT e.position_id, 'deprecated_model' AS fault, old.model_id AS new_model_id
    FROM demo_entries e
    JOIN v ON v.strategy_id = e.strategy_id AND v.model_id = e.model_id
              AND v.strategy = 'halftime_entry v1.0' AND v.model = 'elo_nfl v1.1'
    JOIN probability_models old ON old.model_name = 'elo_nfl' AND old.model_version = 'v1.0'
    JOIN demo_spans sp ON sp.kind = 'model' AND sp.version_id = old.model_id AND sp.status = 'deprecated'
    JOIN demo_markets mk ON mk.market_num = e.market_num
    WHERE e.trade_at > sp.since + interval '1 day' AND mk.open_ts > sp.since
    ORDER BY e.trade_at LIMIT 1
),
live_while_testing AS (
    SELECT e.position_id, 'live_while_testing' AS fault, NULL::int AS new_model_id
    FROM demo_entries e
    JOIN v ON v.strategy_id = e.strategy_id AND v.model_id = e.model_id AND v.strategy = 'halftime_entry v1.1'
    JOIN demo_spans sp ON sp.kind = 'strategy' AND sp.version_id = e.strategy_id AND sp.status = 'testing'
                       AND e.trade_at >= sp.since AND e.trade_at < sp.until
    JOIN demo_spans mp ON mp.kind = 'model' AND mp.version_id = e.model_id AND mp.status = 'active'
                       AND e.trade_at >= mp.since AND e.trade_at < mp.until
    WHERE e.execution_mode = 'paper'
    ORDER BY pg_temp.u(e.position_id, 902) LIMIT 1
),
mislabelled_model AS (
    SELECT e.position_id, 'mislabelled_model' AS fault, v2.model_id AS new_model_id
    FROM demo_entries e
    JOIN v ON v.strategy_id = e.strategy_id AND v.model_id = e.model_id
              AND v.strategy = 'halftime_entry v1.1' AND v.model = 'elo_nfl v1.1'
    JOIN probability_models v2 ON v2.model_name = 'elo_nfl' AND v2.model_version = 'v2.0'
    WHERE e.execution_mode = 'live'
      AND EXISTS (SELECT 1 FROM demo_spans sp WHERE sp.kind = 'model' AND sp.version_id = v2.model_id
                  AND sp.status = 'active' AND e.trade_at >= sp.since AND e.trade_at < sp.until)
    ORDER BY pg_temp.u(e.position_id, 903) LIMIT 1
),
chosen AS (
    SELECT * FROM deprecated_model UNION ALL SELECT * FROM live_while_testing UNION ALL SELECT * FROM mislabelled_model
),
edge_late AS (
    -- entries whose next update is far enough away that the late edge still comes before it
    SELECT e.position_id, 'edge_late' AS fault, NULL::int AS new_model_id
    FROM demo_entries e
    JOIN demo_prices nx ON nx.market_num = e.market_num AND nx.k = e.k + 1
    WHERE e.position_id NOT IN (SELECT position_id FROM chosen) AND nx.ts > e.trade_at + interval '10 seconds'
    ORDER BY pg_temp.u(e.position_id, 901) LIMIT 3
)
SELECT * FROM chosen UNION ALL SELECT * FROM edge_late;

-- Applied to the entries: the model the trade names, the mode, and the late edge's moment (half
-- way to the next update, at most 40 s after the trade).
ALTER TABLE demo_entries ADD COLUMN fault text, ADD COLUMN late_edge_at timestamp;
UPDATE demo_entries e
SET fault = f.fault,
    trade_model_id = coalesce(f.new_model_id, e.trade_model_id),
    execution_mode = CASE WHEN f.fault = 'live_while_testing' THEN 'live' ELSE e.execution_mode END,
    late_edge_at = CASE WHEN f.fault = 'edge_late' THEN e.trade_at + least(interval '40 seconds', greatest(interval '1 second',
                       ((SELECT nx.ts FROM demo_prices nx WHERE nx.market_num = e.market_num AND nx.k = e.k + 1) - e.trade_at) / 2)) END
FROM demo_faults f
WHERE e.position_id = f.position_id;
ANALYZE demo_entries;

-- Edge rows (SCD Type 2 per market x strategy x model): each is current until the next one of
-- its key. The old host's edge (fault 2) is the only edge of its key: slot 9 of its update.
INSERT INTO edges (edge_id, market_id, probability_matrix_id, strategy_id, model_id, expected_value,
                   true_win_probability, market_implied_probability, market_price, confidence_level,
                   confidence_metrics, recommended_action, created_at, row_current_ind, row_end_ts)
SELECT x.edge_id, x.market_id, NULL, x.strategy_id, x.model_id, round(x.ev::numeric, 4),
       round(x.p::numeric, 4), round(x.yes_price / (x.yes_price + x.no_price), 4), x.yes_price,
       CASE WHEN x.ev >= 0.08 THEN 'high' WHEN x.ev >= 0.04 THEN 'medium' ELSE 'low' END, NULL,
       CASE WHEN x.ev >= x.min_edge AND x.ev >= 0.04 THEN 'auto_execute'
            WHEN x.ev >= x.min_edge / 2 THEN 'alert' ELSE 'ignore' END,
       x.created_at, lead(x.edge_id) OVER w IS NULL, lead(x.created_at) OVER w
FROM (
    SELECT c.edge_id, c.market_id, c.strategy_id, c.model_id, c.ev, c.p, c.yes_price, c.no_price, c.min_edge,
           coalesce(late.at[array_position(late.ids, c.edge_id)], c.edge_at) AS created_at
    FROM demo_edge_calc c
    -- the late edges (fault 1) as two arrays read once, not a join the planner would nest
    CROSS JOIN (SELECT coalesce(array_agg(edge_id ORDER BY edge_id), '{}') AS ids, array_agg(late_edge_at ORDER BY edge_id) AS at
                FROM demo_entries WHERE late_edge_at IS NOT NULL) late
    UNION ALL
    SELECT e.edge_id - (e.edge_id % 10) + 9, e.market_id, e.strategy_id, e.trade_model_id, e.ev, e.p, e.yes_price,
           e.no_price, e.min_edge, e.edge_at
    FROM demo_entries e WHERE e.fault = 'deprecated_model'
) x
WINDOW w AS (PARTITION BY x.market_id, x.strategy_id, x.model_id ORDER BY x.created_at, x.edge_id);
SELECT setval(pg_get_serial_sequence('edges', 'edge_id'), (SELECT max(edge_id) FROM edges));
UPDATE demo_entries SET edge_id = edge_id - (edge_id % 10) + 9, model_id = trade_model_id WHERE fault = 'deprecated_model';

-- The halftime strategies' edges name the probability matrix bucket they were priced against.
INSERT INTO probability_matrices (category, subcategory, version, state_descriptor, value_bucket, situational_factors,
                                  win_probability, confidence_interval_lower, confidence_interval_upper, sample_size,
                                  source, methodology, matrix_name, description, created_at)
SELECT 'sports', 'nfl', 'v1.0', 'halftime', b.bucket, jsonb_build_object('venue', v.venue),
       round(b.p + v.adj, 4), round(b.p + v.adj - 0.04, 4), round(b.p + v.adj + 0.04, 4), 300 + b.ord * 40,
       'nflverse play-by-play 2010-2024', 'Empirical win rate of teams by halftime margin, smoothed',
       'nfl_halftime_comeback', 'Win probability for NFL teams at halftime by point differential and venue',
       (SELECT period_start - interval '60 days' FROM demo_params)
FROM (VALUES (1, 'trailing_10+', 0.1200), (2, 'trailing_4to9', 0.2900), (3, 'trailing_1to3', 0.4100),
             (4, 'tied', 0.5000), (5, 'leading_1to3', 0.5900), (6, 'leading_4to9', 0.7100), (7, 'leading_10+', 0.8800))
     AS b(ord, bucket, p)
CROSS JOIN (VALUES ('home', 0.0250), ('away', -0.0250)) AS v(venue, adj);

-- step: positions, exits and trades
-- The held contract's price after entry, and its running peak (for the trailing stop).
CREATE TEMP TABLE demo_held ON COMMIT DROP AS
SELECT e.position_id, pr.k AS j, pr.ts,
       CASE WHEN e.side = 'yes' THEN pr.yes_price ELSE pr.no_price END AS c,
       max(CASE WHEN e.side = 'yes' THEN pr.yes_price ELSE pr.no_price END)
           OVER (PARTITION BY e.position_id ORDER BY pr.k) AS peak
FROM demo_entries e
JOIN demo_prices pr ON pr.market_num = e.market_num AND pr.k > e.k;
CREATE INDEX ON demo_held (position_id, j);
ANALYZE demo_held;

-- First touches: stop loss, trailing stop activation, first target; the trailing stop once
-- active (the price falls back to the peak minus the trailing distance) before the first target;
-- then the second target and the trailing stop after the first target.
CREATE TEMP TABLE demo_touches ON COMMIT DROP AS
SELECT e.position_id, a.j_sl, a.j_t1,
       (SELECT min(h.j) FROM demo_held h WHERE h.position_id = e.position_id AND h.j > a.j_act
                                           AND h.c <= h.peak - e.trail) AS j_tr0,
       (SELECT min(h.j) FROM demo_held h WHERE h.position_id = e.position_id AND h.j > a.j_t1
                                           AND h.c >= e.entry_price * (1 + e.target2)) AS j_t2,
       (SELECT min(h.j) FROM demo_held h WHERE h.position_id = e.position_id AND h.j > a.j_t1
                                           AND h.c <= h.peak - e.trail) AS j_tr
FROM demo_entries e
CROSS JOIN LATERAL (
    SELECT min(h.j) FILTER (WHERE h.c <= e.entry_price * (1 - e.stop_loss)) AS j_sl,
           min(h.j) FILTER (WHERE h.c >= e.activation_price) AS j_act,
           min(h.j) FILTER (WHERE h.c >= e.entry_price * (1 + e.target1)) AS j_t1
    FROM demo_held h WHERE h.position_id = e.position_id
) a;

-- The exit plan: whichever comes first of the stop loss, the activated trailing stop and the
-- first target. The stop loss and the trailing stop exit everything; the first target exits half
-- (strategies without partial exits: all), then the second target a quarter and the trailing
-- stop the rest. A few exits carry other conditions of the same priority.
CREATE TEMP TABLE demo_exits ON COMMIT DROP AS
WITH first_touch AS (
    SELECT e.position_id, e.qty, e.partial_exits, t.j_sl, t.j_t1, t.j_tr0, t.j_t2, t.j_tr,
           CASE WHEN t.j_sl IS NOT NULL AND t.j_sl <= coalesce(least(t.j_t1, t.j_tr0), 2147483647) THEN 'stop_loss'
                WHEN t.j_tr0 IS NOT NULL AND t.j_tr0 < coalesce(t.j_t1, 2147483647) THEN 'trailing_stop'
                WHEN t.j_t1 IS NOT NULL THEN 'target' END AS first
    FROM demo_entries e JOIN demo_touches t USING (position_id)
),
plan AS (
    SELECT f.position_id, 1 AS seq, CASE f.first WHEN 'stop_loss' THEN f.j_sl ELSE f.j_tr0 END AS j,
           f.first AS condition, f.qty AS qty
    FROM first_touch f WHERE f.first IN ('stop_loss', 'trailing_stop')
    UNION ALL
    SELECT f.position_id, 1, f.j_t1, CASE WHEN f.partial_exits THEN 'partial_exit_target' ELSE 'profit_target' END,
           CASE WHEN f.partial_exits THEN round(f.qty * 0.5)::int ELSE f.qty END
    FROM first_touch f WHERE f.first = 'target'
    UNION ALL
    SELECT f.position_id, 2, f.j_t2, 'partial_exit_target', round(f.qty * 0.25)::int
    FROM first_touch f
    WHERE f.first = 'target' AND f.partial_exits AND f.j_t2 IS NOT NULL AND (f.j_tr IS NULL OR f.j_t2 < f.j_tr)
    UNION ALL
    SELECT f.position_id, CASE WHEN f.j_t2 IS NOT NULL AND f.j_t2 < f.j_tr THEN 3 ELSE 2 END, f.j_tr, 'trailing_stop',
           f.qty - round(f.qty * 0.5)::int - CASE WHEN f.j_t2 IS NOT NULL AND f.j_t2 < f.j_tr THEN round(f.qty * 0.25)::int ELSE 0 END
    FROM first_touch f WHERE f.first = 'target' AND f.partial_exits AND f.j_tr IS NOT NULL
)
-- The exit order is a run of n limit attempts of `timeout` seconds each, placed 2-10 s after the
-- update that triggered it; the last one fills. The first attempt's limit is the quote that
-- triggered the exit and each next one walks a cent lower, so the fill is the quote less a cent
-- per attempt that did not fill, or a cent better than its limit one time in seven; a CRITICAL exit's
-- last attempt is a market order that fills 0-2 cents under the last limit.
SELECT pl.position_id, pl.seq, pl.j,
       least(h.ts + make_interval(secs => 2 + floor(pg_temp.u(pl.position_id * 10 + pl.seq, 62) * 8)
                                          + r.timeout * (r.n - 1) + pg_temp.u(pl.position_id * 10 + pl.seq, 66) * r.timeout),
             (SELECT as_of FROM demo_params)) AS ts,
       c.condition, c.priority, r.n, r.timeout,
       pl.qty, h.c AS quote_price, f.fill_limit, f.exit_price
FROM plan pl
JOIN demo_held h ON h.position_id = pl.position_id AND h.j = pl.j
CROSS JOIN LATERAL (
    SELECT x.condition,
           CASE x.condition WHEN 'stop_loss' THEN 'CRITICAL' WHEN 'circuit_breaker' THEN 'CRITICAL'
                            WHEN 'trailing_stop' THEN 'HIGH' WHEN 'time_exit' THEN 'HIGH' WHEN 'edge_disappeared' THEN 'HIGH'
                            ELSE 'MEDIUM' END AS priority
    FROM (SELECT CASE WHEN pl.condition = 'stop_loss' AND pg_temp.u(pl.position_id, 63) < 0.06 THEN 'circuit_breaker'
                      WHEN pl.condition = 'trailing_stop' AND pg_temp.u(pl.position_id, 63) < 0.08 THEN 'time_exit'
                      WHEN pl.condition = 'trailing_stop' AND pg_temp.u(pl.position_id, 63) < 0.14 THEN 'edge_disappeared'
                      ELSE pl.condition END AS condition) x
) c
CROSS JOIN LATERAL (
    SELECT 1 + floor(pg_temp.u(pl.position_id * 10 + pl.seq, 73) * CASE c.priority WHEN 'MEDIUM' THEN 4 ELSE 3 END)::int AS n,
           CASE c.priority WHEN 'CRITICAL' THEN 5 WHEN 'HIGH' THEN 10 WHEN 'MEDIUM' THEN 30 ELSE 60 END AS timeout
) r
CROSS JOIN LATERAL (
    SELECT CASE WHEN c.priority = 'CRITICAL' AND r.n > 1 THEN NULL ELSE pg_temp.walk(h.c, r.n) END AS fill_limit,
           CASE WHEN c.priority = 'CRITICAL' AND r.n > 1
                THEN greatest(0.01, pg_temp.walk(h.c, r.n - 1) - 0.01 * (1 + floor(pg_temp.u(pl.position_id * 10 + pl.seq, 67) ^ 2 * 3)::int))
                WHEN pg_temp.u(pl.position_id * 10 + pl.seq, 68) < 1.0 / 7 THEN least(0.99, pg_temp.walk(h.c, r.n) + 0.01)
                ELSE pg_temp.walk(h.c, r.n) END AS exit_price
) f
WHERE pl.qty > 0;
CREATE INDEX ON demo_exits (position_id, seq);

-- What is left at the end: closed by exits, settled with the market, or still open.
CREATE TEMP TABLE demo_outcomes ON COMMIT DROP AS
SELECT e.position_id, e.qty - coalesce(x.exited, 0) AS remaining,
       coalesce(x.exit_pnl, 0) AS exit_pnl, coalesce(x.exit_fees, 0) AS exit_fees,
       m.settled, m.outcome, m.close_ts + interval '5 minutes' AS settle_ts,
       CASE WHEN e.side = 'yes' THEN m.outcome ELSE 1 - m.outcome END AS held_won,
       pg_temp.fee(e.qty, e.entry_price) AS entry_fee
FROM demo_entries e
JOIN demo_markets m ON m.market_num = e.market_num
LEFT JOIN (SELECT ex.position_id, sum(ex.qty) AS exited,
                  sum((ex.exit_price - en.entry_price) * ex.qty) AS exit_pnl,
                  sum(pg_temp.fee(ex.qty, ex.exit_price)) AS exit_fees
           FROM demo_exits ex JOIN demo_entries en USING (position_id) GROUP BY ex.position_id) x USING (position_id);

-- Position rows (SCD Type 2): the entry, a monitoring snapshot every 35 updates, one row per
-- exit, and the settlement or a last monitoring row for positions still open (a few of them
-- stale, as when the monitor loop stalls).
CREATE TEMP TABLE demo_position_rows ON COMMIT DROP AS
WITH snapshots AS (
    SELECT e.position_id, e.fill_at AS ts, 0 AS ord, 'entry' AS kind, e.entry_price AS price, NULL::text AS condition, NULL::text AS priority
    FROM demo_entries e
    UNION ALL
    SELECT h.position_id, h.ts, 1, 'monitor', h.c, NULL, NULL
    FROM demo_held h JOIN demo_entries e USING (position_id)
    WHERE (h.j - e.k) % 35 = 0
      AND h.ts < coalesce((SELECT max(x.ts) FROM demo_exits x WHERE x.position_id = h.position_id
                            AND x.qty = e.qty - coalesce((SELECT sum(y.qty) FROM demo_exits y WHERE y.position_id = x.position_id AND y.seq < x.seq), 0)),
                          'infinity')
    UNION ALL
    SELECT x.position_id, x.ts, 2, 'exit', x.exit_price, x.condition, x.priority
    FROM demo_exits x
    UNION ALL
    SELECT o.position_id, o.settle_ts, 3, 'settle', o.held_won::numeric, NULL, NULL
    FROM demo_outcomes o WHERE o.settled AND o.remaining > 0
    UNION ALL
    SELECT o.position_id,
           greatest(p.as_of - make_interval(secs => CASE WHEN pg_temp.u(o.position_id, 64) < 0.10 THEN 300 + floor(pg_temp.u(o.position_id, 65) * 1500)
                                                          ELSE 2 + floor(pg_temp.u(o.position_id, 65) * 25) END),
                    (SELECT max(x.ts) FROM demo_exits x WHERE x.position_id = o.position_id) + interval '1 second',
                    (SELECT max(h.ts) FROM demo_held h WHERE h.position_id = o.position_id) + interval '1 second'),
           4, 'latest', (SELECT h.c FROM demo_held h WHERE h.position_id = o.position_id ORDER BY h.j DESC LIMIT 1), NULL, NULL
    FROM demo_outcomes o CROSS JOIN demo_params p WHERE NOT o.settled AND o.remaining > 0
)
SELECT s.*, e.qty, e.entry_price, e.side, e.market_id, e.platform_id, e.execution_mode, e.activation_price, e.trail,
       e.qty - coalesce((SELECT sum(x.qty) FROM demo_exits x WHERE x.position_id = s.position_id AND x.ts <= s.ts), 0) AS held,
       coalesce((SELECT sum((x.exit_price - e.entry_price) * x.qty - pg_temp.fee(x.qty, x.exit_price))
                 FROM demo_exits x WHERE x.position_id = s.position_id AND x.ts <= s.ts), 0) - pg_temp.fee(e.qty, e.entry_price) AS realized_so_far,
       (SELECT max(h.peak) FROM demo_held h WHERE h.position_id = s.position_id AND h.ts <= s.ts) AS peak
FROM snapshots s JOIN demo_entries e USING (position_id)
WHERE s.price IS NOT NULL;

INSERT INTO positions (position_id, market_id, platform_id, side, entry_price, quantity, fees, status, unrealized_pnl,
                       realized_pnl, current_price, unrealized_pnl_pct, last_update, trailing_stop_state, exit_reason,
                       exit_priority, external_position_id, execution_mode, created_at, updated_at, row_current_ind, row_end_ts)
SELECT r.position_id, r.market_id, r.platform_id, r.side, r.entry_price,
       r.held,
       pg_temp.fee(r.qty, r.entry_price),
       CASE WHEN r.kind = 'settle' THEN 'settled' WHEN r.held = 0 THEN 'closed' ELSE 'open' END,
       CASE WHEN r.kind = 'settle' OR r.held = 0 THEN 0 ELSE round((r.price - r.entry_price) * r.held, 4) END,
       CASE WHEN r.kind = 'settle' THEN round(r.realized_so_far + (r.price - r.entry_price) * r.held, 4)
            ELSE round(r.realized_so_far, 4) END,
       r.price,
       round((r.price - r.entry_price) / r.entry_price, 4),
       r.ts,
       -- the seed's trailing stop state: active once the peak reached the activation price, the
       -- stop then a fixed distance under the peak; none for strategies without a trailing stop
       CASE WHEN r.trail IS NOT NULL THEN
            jsonb_build_object('active', coalesce(r.peak, r.entry_price) >= r.activation_price,
                               'activation_price', r.activation_price,
                               'peak_price', coalesce(r.peak, r.entry_price),
                               'current_stop_price', CASE WHEN coalesce(r.peak, r.entry_price) >= r.activation_price
                                                          THEN round(r.peak - r.trail, 4) END,
                               'current_distance', r.trail) END,
       CASE WHEN r.kind = 'exit' THEN r.condition WHEN r.kind = 'settle' THEN 'settlement' END,
       CASE WHEN r.kind = 'exit' THEN r.priority END,
       CASE WHEN r.platform_id = 'kalshi' THEN 'KP-' ELSE 'PM-' END || lpad(r.position_id::text, 8, '0'),
       r.execution_mode, r.ts, r.ts,
       row_number() OVER (PARTITION BY r.position_id ORDER BY r.ts DESC, r.ord DESC) = 1, lead(r.ts) OVER w
FROM demo_position_rows r
WINDOW w AS (PARTITION BY r.position_id ORDER BY r.ts, r.ord ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
ORDER BY r.ts, r.position_id, r.ord;
SELECT setval('positions_position_id_seq', (SELECT max(position_id) FROM positions));

INSERT INTO position_exits (position_id, exit_condition, exit_priority, quantity_exited, exit_price, unrealized_pnl_at_exit, created_at)
SELECT x.position_id, x.condition, x.priority, x.qty, x.exit_price,
       round((x.exit_price - e.entry_price)
             * (e.qty - coalesce((SELECT sum(y.qty) FROM demo_exits y WHERE y.position_id = x.position_id AND y.seq < x.seq), 0)), 4),
       x.ts
FROM demo_exits x JOIN demo_entries e USING (position_id)
ORDER BY x.ts, x.position_id, x.seq;

-- Fault 5 (see the edges step): a closed position with one exit, whose exit fill is recorded twice.
INSERT INTO demo_faults (position_id, fault)
SELECT o.position_id, 'duplicate_fill'
FROM demo_outcomes o JOIN demo_entries e USING (position_id)
WHERE o.remaining = 0 AND e.fault IS NULL AND (SELECT count(*) FROM demo_exits x WHERE x.position_id = o.position_id) = 1
ORDER BY pg_temp.u(o.position_id, 904) LIMIT 1;

-- Trades: the entry (a buy at the position's entry price, the fill; a limit order's limit is the
-- quote its edge was priced on) and a sell for every exit (a limit order's limit is the attempt
-- that filled), named with the versions the entry names.
INSERT INTO trades (market_id, platform_id, position_id, edge_id, strategy_id, model_id, method_id, order_id, side, price,
                    quantity, fees, edge_at_execution, confidence_at_execution, created_at, trade_metadata, order_type,
                    limit_price, time_in_force, filled_at, external_trade_id, execution_mode)
SELECT t.market_id, t.platform_id, t.position_id, t.edge_id, t.strategy_id, t.model_id, me.method_id,
       'ord-' || md5(t.position_id || '-' || t.seq % 10), t.side, t.price, t.qty, pg_temp.fee(t.qty, t.price),
       t.edge, t.confidence, t.ts,
       jsonb_build_object('latency_ms', 40 + floor(pg_temp.u(t.position_id * 10 + t.seq, 71) * 400)::int,
                          'book_depth', 200 + floor(pg_temp.u(t.position_id * 10 + t.seq, 72) * 3000)::int,
                          'reason', t.reason),
       t.order_type, CASE WHEN t.order_type = 'limit' THEN t.limit_price END, 'ioc', t.filled_at,
       CASE WHEN t.platform_id = 'kalshi' THEN 'KT-' ELSE 'PT-' END || md5(t.position_id || ':' || t.seq),
       t.execution_mode
FROM (
    SELECT e.position_id, 0 AS seq, e.market_id, e.platform_id, e.edge_id, e.strategy_id, e.trade_model_id AS model_id,
           'buy' AS side, e.entry_price AS price, e.quote_price AS limit_price, e.qty, round(e.ev::numeric, 4) AS edge,
           CASE WHEN e.ev >= 0.08 THEN 'high' ELSE 'medium' END AS confidence, e.trade_at AS ts, e.fill_at AS filled_at,
           e.order_type, 'entry' AS reason, e.execution_mode
    FROM demo_entries e
    UNION ALL
    SELECT x.position_id, x.seq + d.copy * 10, e.market_id, e.platform_id, NULL, e.strategy_id, e.trade_model_id, 'sell',
           x.exit_price, coalesce(x.fill_limit, x.exit_price), x.qty, NULL, NULL, x.ts + make_interval(secs => d.copy * 2),
           x.ts + make_interval(secs => d.copy * 2 + 0.04 + pg_temp.u(x.position_id * 10 + x.seq, 71) * 0.4),
           CASE WHEN x.priority = 'CRITICAL' THEN 'market' ELSE 'limit' END, x.condition, e.execution_mode
    FROM demo_exits x JOIN demo_entries e USING (position_id)
    CROSS JOIN LATERAL (SELECT 0 AS copy UNION ALL
                        SELECT 1 WHERE x.position_id IN (SELECT f.position_id FROM demo_faults f WHERE f.fault = 'duplicate_fill')) d
) t
LEFT JOIN methods me ON me.strategy_id = t.strategy_id AND me.model_id = t.model_id
ORDER BY t.ts, t.position_id, t.seq;  -- trade ids in the order the trades happened

-- Exit attempts: limit orders from the quote that triggered the exit, walking down a cent at a
-- time until one fills (CRITICAL exits
-- end with a market order); a few exits never fill at all before settlement.
INSERT INTO exit_attempts (position_id, exit_condition, priority_level, order_type, limit_price, fill_price, quantity,
                           attempt_number, timeout_seconds, success, created_at, external_order_id)
SELECT a.position_id, a.condition, a.priority,
       CASE WHEN a.priority = 'CRITICAL' AND gs.i = a.n AND a.n > 1 THEN 'market' ELSE 'limit' END,
       CASE WHEN a.priority = 'CRITICAL' AND gs.i = a.n AND a.n > 1 THEN NULL ELSE pg_temp.walk(a.quote_price, gs.i) END,
       CASE WHEN a.filled AND gs.i = a.n THEN a.exit_price END,
       a.qty, gs.i, a.timeout, a.filled AND gs.i = a.n,
       a.ts - make_interval(secs => a.timeout * (a.n - gs.i)),
       'xo-' || md5(a.position_id || ':' || a.seq || ':' || gs.i)
FROM (
    SELECT x.position_id, x.seq, x.condition, x.priority, x.quote_price, x.exit_price, x.qty, x.ts, true AS filled, x.n, x.timeout
    FROM demo_exits x
    UNION ALL
    SELECT o.position_id, 9, 'edge_disappeared', 'HIGH', h.c, h.c, o.remaining, h.ts, false, 2 + (o.position_id % 3), 10
    FROM demo_outcomes o
    JOIN demo_entries e USING (position_id)
    JOIN demo_held h ON h.position_id = o.position_id AND h.j = e.k + 60
    WHERE o.settled AND o.remaining = e.qty AND pg_temp.u(o.position_id, 74) < 0.08
) a
CROSS JOIN LATERAL generate_series(1, a.n) gs(i)
ORDER BY a.ts - make_interval(secs => a.timeout * (a.n - gs.i)), a.position_id, a.seq, gs.i;

-- Settlements: our account's settlement of every market we held at the close.
INSERT INTO settlements (market_id, platform_id, outcome, payout, created_at, external_settlement_id)
SELECT e.market_id, e.platform_id, CASE WHEN min(o.outcome) = 1 THEN 'yes' ELSE 'no' END,
       sum(o.remaining * o.held_won), min(o.settle_ts), 'ST-' || md5(e.market_id)
FROM demo_outcomes o JOIN demo_entries e USING (position_id)
WHERE o.settled
GROUP BY e.market_id, e.platform_id;

-- step: balances, strategy metrics, Elo
-- Daily balance per platform: starting capital plus live realized P&L to date.
INSERT INTO account_balance (platform_id, balance, currency, created_at, row_current_ind, row_end_ts, external_account_id)
SELECT b.platform_id, greatest(0, round(b.start_balance + coalesce(sum(d.pnl) OVER w, 0), 4)), 'USD', b.day,
       b.day = max(b.day) OVER (PARTITION BY b.platform_id),
       lead(b.day) OVER (PARTITION BY b.platform_id ORDER BY b.day),
       'acct-' || b.platform_id
FROM (
    SELECT pl.platform_id, pl.start_balance, day
    FROM (VALUES ('kalshi', 25000), ('polymarket', 15000)) pl(platform_id, start_balance)
    CROSS JOIN demo_params p
    CROSS JOIN generate_series(date_trunc('day', p.period_start), p.as_of, interval '1 day') day
) b
LEFT JOIN (
    SELECT platform_id, date_trunc('day', created_at) AS day, sum(realized_pnl) AS pnl
    FROM positions WHERE row_current_ind AND status IN ('closed', 'settled') AND execution_mode = 'live'
    GROUP BY 1, 2
) d ON d.platform_id = b.platform_id AND d.day = b.day
WINDOW w AS (PARTITION BY b.platform_id ORDER BY b.day);

-- Stored ROI per strategy version, as the trading system writes it. halftime_entry v1.0's live
-- figure was last written half-way through the period: the A/B page flags the mismatch.
UPDATE strategies s
SET paper_roi = r.paper_roi, live_roi = r.live_roi, paper_trades_count = r.paper_trades, live_trades_count = r.live_trades
FROM (
    SELECT t.strategy_id,
           round(sum(p.realized_pnl) FILTER (WHERE p.execution_mode = 'paper' AND NOT stale)
                 / nullif(sum(p.entry_price * t.quantity) FILTER (WHERE p.execution_mode = 'paper' AND NOT stale), 0), 4) AS paper_roi,
           round(sum(p.realized_pnl) FILTER (WHERE p.execution_mode = 'live' AND NOT stale)
                 / nullif(sum(p.entry_price * t.quantity) FILTER (WHERE p.execution_mode = 'live' AND NOT stale), 0), 4) AS live_roi,
           count(*) FILTER (WHERE t.execution_mode = 'paper') AS paper_trades,
           count(*) FILTER (WHERE t.execution_mode = 'live') AS live_trades
    FROM trades t
    JOIN positions p ON p.position_id = t.position_id AND p.row_current_ind AND p.status IN ('closed', 'settled')
    JOIN strategies s2 ON s2.strategy_id = t.strategy_id
    CROSS JOIN demo_params dp
    CROSS JOIN LATERAL (SELECT s2.strategy_name = 'halftime_entry' AND s2.strategy_version = 'v1.0'
                               AND t.created_at > dp.period_start + make_interval(secs => dp.years * 365 * 86400 / 2) AS stale) st
    WHERE t.side = 'buy'
    GROUP BY t.strategy_id
) r
WHERE r.strategy_id = s.strategy_id;

-- Elo: one rating change per team per finished NFL game, around the team's seeded rating, by
-- the newest elo_nfl version active at the final whistle (with its K factor).
INSERT INTO elo_rating_history (team_id, event_id, rating_before, rating_after, k_factor, expected_score, actual_score,
                                model_id, created_at)
SELECT t.team_id, e.event_id, r.before, round((r.before + elo.k * (r.actual - r.expected))::numeric, 2), elo.k,
       round(r.expected::numeric, 4), r.actual, elo.model_id, e.start_time + e.duration + interval '10 minutes'
FROM demo_events e
CROSS JOIN LATERAL (
    SELECT pm.model_id, (pm.config ->> 'k_factor')::int AS k
    FROM demo_spans s JOIN probability_models pm ON pm.model_id = s.version_id
    WHERE s.kind = 'model' AND pm.model_name = 'elo_nfl' AND s.status = 'active'
      AND e.start_time + e.duration + interval '10 minutes' >= s.since AND e.start_time + e.duration + interval '10 minutes' < s.until
    ORDER BY pm.created_at DESC LIMIT 1
) elo
JOIN demo_markets w ON w.event_num = e.event_num AND w.kind = 1
CROSS JOIN LATERAL (VALUES (e.home_code, 1), (e.away_code, 0)) side(code, is_home)
JOIN teams t ON t.sport = 'nfl' AND t.team_code = side.code
CROSS JOIN LATERAL (
    SELECT round((t.current_elo_rating + 40 * pg_temp.n(e.event_num * 2 + side.is_home, 81))::numeric, 2) AS before,
           CASE WHEN side.is_home = 1 THEN w.outcome ELSE 1 - w.outcome END AS actual,
           CASE WHEN side.is_home = 1 THEN pg_temp.sigmoid(w.l_final * 0.3) ELSE 1 - pg_temp.sigmoid(w.l_final * 0.3) END AS expected
) r
WHERE e.sport = 'nfl' AND e.start_time + e.duration <= e.as_of;

-- step: alerts and system state
-- Circuit breakers first; each raises a critical alert below.
INSERT INTO circuit_breaker_events (breaker_type, triggered_at, resolved_at, trigger_value, resolution_action, notes)
SELECT (ARRAY['daily_loss_limit', 'api_failures', 'data_stale'])[1 + i % 3],
       p.period_start + make_interval(secs => p.years * 365 * 86400 * (i - 0.3) / n.n),
       CASE WHEN i < n.n THEN p.period_start + make_interval(secs => p.years * 365 * 86400 * (i - 0.3) / n.n + 600 + pg_temp.u(i, 91) * 5400) END,
       CASE i % 3 WHEN 0 THEN jsonb_build_object('current_loss', 500 + round((pg_temp.u(i, 92) * 200)::numeric, 2), 'limit', 500)
                  WHEN 1 THEN jsonb_build_object('consecutive_failures', 5 + floor(pg_temp.u(i, 92) * 10)::int, 'api', 'kalshi')
                  ELSE jsonb_build_object('seconds_since_update', 120 + floor(pg_temp.u(i, 92) * 600)::int) END,
       CASE WHEN i < n.n THEN (ARRAY['manual_reset', 'auto_recovered', 'limit_raised'])[1 + i % 3] END,
       NULL
FROM demo_params p
CROSS JOIN LATERAL (SELECT greatest(3, round(30 * p.years))::int AS n) n
CROSS JOIN generate_series(1, n.n) i;

CREATE TEMP TABLE demo_alert_kinds ON COMMIT DROP AS
SELECT * FROM (VALUES
  (1, 'api_failure', 'high', 'system', 'kalshi_api', 0.10),
  (2, 'api_failure', 'medium', 'system', 'polymarket_api', 0.12),
  (3, 'loss_threshold', 'high', 'risk', 'position_manager', 0.10),
  (4, 'health_degraded', 'medium', 'system', 'edge_detector', 0.20),
  (5, 'data_stale', 'medium', 'data', 'market_feed', 0.25),
  (6, 'model_drift', 'low', 'trading', 'model_monitor', 0.45),
  (7, 'execution_failure', 'high', 'trading', 'order_executor', 0.15),
  (8, 'health_degraded', 'low', 'system', 'database', 0.30),
  (9, 'loss_threshold', 'critical', 'risk', 'position_manager', 0.05)
) AS k(kind, alert_type, severity, category, component, false_positive_share);

CREATE TEMP TABLE demo_alerts ON COMMIT DROP AS
WITH raw AS (
    SELECT i, 1 + floor(pg_temp.u(i, 101) * 9)::int AS kind, floor(pg_temp.u(i, 102) * 5)::int AS subject,
           -- denser towards as-of, so the queue has something to do
           p.as_of - make_interval(secs => p.years * 365 * 86400 * power(pg_temp.u(i, 103), 1.6)) AS triggered_at,
           p.as_of, NULL::text AS about
    FROM demo_params p
    CROSS JOIN LATERAL (SELECT greatest(80, round(2000 * p.years))::int AS n) n
    CROSS JOIN generate_series(1, n.n) i
    UNION ALL
    -- one critical alert per circuit breaker, and its quick duplicates (suppressed)
    SELECT 100000000 + c.event_id * 10 + d, 0, c.event_id % 3, c.triggered_at + make_interval(secs => d * 45), p.as_of, NULL
    FROM circuit_breaker_events c CROSS JOIN demo_params p CROSS JOIN generate_series(0, (c.event_id % 3)) d
    UNION ALL
    -- the drift alert behind ensemble_politics' roll back (the version lifecycles step)
    SELECT 200000000, 6, 4, pg_temp.at(0.33) - interval '3 hours', p.as_of, 'ensemble_politics v1.0' FROM demo_params p
)
SELECT r.i, r.triggered_at, r.as_of, r.subject, r.about,
       coalesce(k.alert_type, 'circuit_breaker') AS alert_type, coalesce(k.severity, 'critical') AS severity,
       coalesce(k.category, 'risk') AS category, coalesce(k.component, 'position_manager') AS component,
       coalesce(k.false_positive_share, 0.02) AS false_positive_share,
       CASE WHEN r.kind = 0 THEN (r.i - 100000000) / 10 END AS breaker_event_id
FROM raw r LEFT JOIN demo_alert_kinds k ON k.kind = r.kind;

INSERT INTO alerts (alert_uuid, alert_type, severity, category, component, message, details, source_table, source_id, triggered_at,
                    acknowledged_at, resolved_at, acknowledged_by, acknowledged_notes, resolved_by, resolved_notes,
                    resolution_action, notification_sent, notification_channels, notification_sent_at,
                    notification_attempts, notification_errors, fingerprint, suppressed, environment, tags)
SELECT md5(current_setting('demo.seed') || ':' || a.i)::uuid, a.alert_type, a.severity, a.category, a.component,
       CASE a.alert_type
         WHEN 'circuit_breaker' THEN 'Circuit breaker tripped: ' || (ARRAY['daily loss limit exceeded ($525.00 / $500.00 limit)', 'Kalshi API failures above threshold', 'market data stale for over 2 minutes'])[1 + a.subject % 3]
         WHEN 'api_failure' THEN initcap(split_part(a.component, '_', 1)) || ' API returned HTTP 50' || (a.subject % 4) || ' for ' || (3 + a.subject) || ' consecutive requests'
         WHEN 'loss_threshold' THEN 'Position loss exceeded ' || (15 + 5 * a.subject) || '% of entry on ' || (ARRAY['KXNFLGAME', 'KXNBAGAME', 'PM-NBA', 'PM-POLITICS', 'KXPOLITICS'])[1 + a.subject]
         WHEN 'health_degraded' THEN CASE a.component WHEN 'database' THEN 'Replication lag ' || (5 + 7 * a.subject) || ' s on replica'
                                                      ELSE 'Edge detector p95 latency ' || (600 + 150 * a.subject) || ' ms (budget 500 ms)' END
         WHEN 'data_stale' THEN 'No market updates for ' || (45 + 30 * a.subject) || ' s on <' || (ARRAY['KXNFLGAME', 'KXNBAGAME', 'PM-NBA', 'PM-POLITICS', 'KXPOLITICS'])[1 + a.subject] || '> feed'
         -- about a model version that was pricing markets then (validating or active)
         WHEN 'model_drift' THEN 'Calibration drift on **' || coalesce(a.about,
             (SELECT (array_agg(pm.model_name || ' ' || pm.model_version ORDER BY pm.model_name, pm.model_version))[1 + a.subject % count(*)::int]
              FROM demo_spans s JOIN probability_models pm ON pm.model_id = s.version_id
              WHERE s.kind = 'model' AND s.status IN ('validating', 'active') AND a.triggered_at >= s.since AND a.triggered_at < s.until))
             || '**: ECE ' || (0.04 + 0.01 * a.subject)
         ELSE 'Exit order did not fill after ' || (3 + a.subject) || ' attempts (price walked ' || (2 + a.subject) || ' cents)'
       END,
       jsonb_build_object('subject', a.subject, 'observed_at', a.triggered_at, 'threshold', 0.5 + a.subject),
       CASE WHEN a.breaker_event_id IS NOT NULL THEN 'circuit_breaker_events' END, a.breaker_event_id,
       a.triggered_at,
       CASE WHEN s.ack_at <= a.as_of THEN s.ack_at END,
       CASE WHEN s.ack_at <= a.as_of AND s.resolve_at <= a.as_of THEN s.resolve_at END,
       CASE WHEN s.ack_at <= a.as_of THEN s.responder END,
       CASE WHEN s.ack_at <= a.as_of THEN (ARRAY['Looking into it', 'Known issue, watching', 'On it', NULL])[1 + a.i % 4] END,
       CASE WHEN s.ack_at <= a.as_of AND s.resolve_at <= a.as_of THEN s.responder END,
       CASE WHEN s.ack_at <= a.as_of AND s.resolve_at <= a.as_of THEN (ARRAY['Restarted the feed', 'Threshold too tight', 'Upstream outage ended', 'Escalated to platform support'])[1 + a.i % 4] END,
       CASE WHEN s.ack_at <= a.as_of AND s.resolve_at <= a.as_of THEN s.action END,
       a.severity IN ('critical', 'high'),
       CASE a.severity WHEN 'critical' THEN '{"email": true, "sms": true, "slack": true, "console": true, "file": true}'::jsonb
                       WHEN 'high' THEN '{"email": true, "slack": true, "console": true, "file": true}'::jsonb
                       ELSE '{"console": true, "file": true}'::jsonb END,
       CASE WHEN a.severity IN ('critical', 'high') THEN a.triggered_at + interval '3 seconds' END,
       CASE WHEN a.severity IN ('critical', 'high') THEN 1 + (a.i % 7 = 0)::int ELSE 0 END,
       CASE WHEN a.severity IN ('critical', 'high') AND a.i % 7 = 0 THEN '{"sms": "timeout after 10 s, retried"}'::jsonb END,
       md5(a.alert_type || ':' || a.component || ':' || a.subject),
       coalesce(a.triggered_at - lag(a.triggered_at) OVER (PARTITION BY a.alert_type, a.component, a.subject ORDER BY a.triggered_at)
                < interval '15 minutes', false),
       CASE WHEN pg_temp.u(a.i, 104) < 0.85 THEN 'prod' ELSE 'demo' END,
       jsonb_build_object('team', CASE WHEN a.category IN ('risk', 'trading') THEN 'trading' ELSE 'platform' END)
FROM demo_alerts a
CROSS JOIN LATERAL (
    SELECT a.triggered_at + make_interval(secs => CASE a.severity WHEN 'critical' THEN 60 + pg_temp.u(a.i, 105) * 540
                                                                   WHEN 'high' THEN 300 + pg_temp.u(a.i, 105) * 3300
                                                                   WHEN 'medium' THEN 600 + pg_temp.u(a.i, 105) * 14000
                                                                   ELSE 3600 + pg_temp.u(a.i, 105) * 82800 END) AS ack_at,
           a.triggered_at + make_interval(secs => CASE a.severity WHEN 'critical' THEN 60 + pg_temp.u(a.i, 105) * 540
                                                                   WHEN 'high' THEN 300 + pg_temp.u(a.i, 105) * 3300
                                                                   WHEN 'medium' THEN 600 + pg_temp.u(a.i, 105) * 14000
                                                                   ELSE 3600 + pg_temp.u(a.i, 105) * 82800 END
                                              + 300 + pg_temp.u(a.i, 106) * 86000) AS resolve_at,
           (ARRAY['alice@precog.example', 'bob@precog.example', 'carol@precog.example', 'dmitri@precog.example'])[1 + floor(pg_temp.u(a.i, 107) * 4)::int] AS responder,
           CASE WHEN pg_temp.u(a.i, 108) < a.false_positive_share THEN 'false_positive'
                WHEN pg_temp.u(a.i, 108) < a.false_positive_share + 0.15 THEN 'ignored'
                WHEN pg_temp.u(a.i, 108) < a.false_positive_share + 0.25 THEN 'escalated'
                ELSE 'fixed' END AS action
) s;

-- The loss and unfilled-exit alerts still open at as-of name the open position behind them
-- (source_table 'positions', source_id its position_id), as the position manager would: the Alerts
-- queue shows the money at risk. A loss alert names a position on its market family; either kind
-- names the one opened latest before the alert (none when no such position was open then).
WITH opened AS (
    SELECT o.position_id, o.market_id, (SELECT min(h.created_at) FROM positions h WHERE h.position_id = o.position_id) AS opened_at
    FROM open_positions o
)
UPDATE alerts a
   SET source_table = 'positions',
       source_id = (SELECT op.position_id FROM opened op
                    WHERE op.opened_at <= a.triggered_at
                      AND (a.alert_type = 'execution_failure'
                           OR op.market_id LIKE (ARRAY['KXNFLGAME', 'KXNBAGAME', 'PM-NBA', 'PM-POLITICS', 'KXPOLITICS'])[1 + (a.details ->> 'subject')::int] || '-%')
                    ORDER BY op.opened_at DESC, op.position_id LIMIT 1)
 WHERE a.resolved_at IS NULL AND a.alert_type IN ('loss_threshold', 'execution_failure')
   AND EXISTS (SELECT 1 FROM opened op
               WHERE op.opened_at <= a.triggered_at
                 AND (a.alert_type = 'execution_failure'
                      OR op.market_id LIKE (ARRAY['KXNFLGAME', 'KXNBAGAME', 'PM-NBA', 'PM-POLITICS', 'KXPOLITICS'])[1 + (a.details ->> 'subject')::int] || '-%'));

INSERT INTO system_health (component, status, last_check, details, alert_sent)
SELECT c.component,
       CASE WHEN pg_temp.u(h * 10 + c.ord, 111) < 0.05 THEN 'down' WHEN pg_temp.u(h * 10 + c.ord, 111) < 0.15 THEN 'degraded' ELSE 'healthy' END,
       p.as_of - make_interval(hours => h),
       jsonb_build_object('latency_ms', 20 + floor(pg_temp.u(h * 10 + c.ord, 112) * 300)::int),
       pg_temp.u(h * 10 + c.ord, 111) < 0.15
FROM demo_params p
CROSS JOIN (VALUES (1, 'kalshi_api'), (2, 'polymarket_api'), (3, 'database'), (4, 'edge_detector'),
                   (5, 'market_feed'), (6, 'position_manager')) c(ord, component)
CROSS JOIN generate_series(0, 47) h;

INSERT INTO config_overrides (config_key, override_value, data_type, reason, applied_by, applied_at, expires_at, active)
SELECT x.config_key, x.override_value::jsonb, x.data_type, x.reason, x.applied_by,
       p.as_of - make_interval(days => x.days_ago), CASE WHEN x.expires_days IS NOT NULL THEN p.as_of + make_interval(days => x.expires_days) END,
       x.active
FROM demo_params p,
     (VALUES ('trading.sports_live.execution.max_spread', '{"value": 0.08}', 'float', 'Wider spreads during playoffs', 'maria.quant', 20, 10, true),
             ('trading.risk.daily_loss_limit', '{"value": 500}', 'int', 'Reduced after drawdown', 'risk.bot', 45, NULL, true),
             ('trading.exit.trailing_distance', '{"value": 0.05}', 'float', 'Tighter trailing stops test', 'dev.okafor', 12, NULL, false),
             ('trading.nba.enabled', '{"value": true}', 'bool', 'Season start', 'maria.quant', 60, NULL, true),
             ('monitoring.urgent_interval_seconds', '{"value": 5}', 'int', 'Default from design doc', 'ops', 90, NULL, true),
             ('edges.min_confidence', '{"value": "medium"}', 'string', 'Cut noise from low-confidence edges', 'dev.okafor', 7, 30, true))
     AS x(config_key, override_value, data_type, reason, applied_by, days_ago, expires_days, active);

-- step: machine learning tables
INSERT INTO feature_definitions (feature_name, feature_version, category, sport, calculation_method, data_type, unit, description, created_by)
VALUES ('team_recent_win_pct', 'v1.0', 'team_stats', 'nfl', 'Win percentage over last 5 games', 'float', 'percentage', 'Rolling 5-game win rate', 'dev.okafor'),
       ('home_advantage_score', 'v1.0', 'team_stats', NULL, 'Historical win rate at home vs away', 'float', 'percentage', 'Difference in home vs away performance', 'dev.okafor'),
       ('dvoa_offense', 'v1.0', 'team_stats', 'nfl', 'Football Outsiders DVOA offensive rating', 'float', 'percentage', 'Defense-adjusted Value Over Average for offense', 'dev.okafor'),
       ('epa_per_play', 'v1.0', 'team_stats', 'nfl', 'Expected Points Added per play', 'float', 'points', 'Average EPA across all offensive plays', 'dev.okafor'),
       ('net_rating', 'v1.0', 'team_stats', 'nba', 'Points scored minus allowed per 100 possessions', 'float', 'points', 'Net rating, last 10 games', 'dev.okafor'),
       ('pace', 'v1.0', 'team_stats', 'nba', 'Possessions per 48 minutes', 'float', NULL, 'Pace, last 10 games', 'dev.okafor'),
       ('market_momentum', 'v1.0', 'market_derived', NULL, 'Change in yes price over the last 12 updates', 'float', NULL, 'Short-term price momentum', 'maria.quant');

UPDATE feature_definitions SET created_at = (SELECT period_start - interval '120 days' FROM demo_params);

INSERT INTO features_historical (feature_id, entity_type, entity_id, timestamp, feature_value, metadata, created_at)
SELECT f.feature_id, 'team', t.team_code, w.week,
       round((CASE f.feature_name WHEN 'team_recent_win_pct' THEN 0.5 + 0.25 * pg_temp.n(t.team_id * 100000 + extract(epoch FROM w.week)::bigint / 604800, 121)
                                  WHEN 'home_advantage_score' THEN 0.55 + 0.05 * pg_temp.n(t.team_id * 100000 + extract(epoch FROM w.week)::bigint / 604800, 122)
                                  WHEN 'dvoa_offense' THEN 0.10 * pg_temp.n(t.team_id * 100000 + extract(epoch FROM w.week)::bigint / 604800, 123)
                                  WHEN 'epa_per_play' THEN 0.08 * pg_temp.n(t.team_id * 100000 + extract(epoch FROM w.week)::bigint / 604800, 124)
                                  WHEN 'net_rating' THEN 5 * pg_temp.n(t.team_id * 100000 + extract(epoch FROM w.week)::bigint / 604800, 125)
                                  ELSE 99 + 3 * pg_temp.n(t.team_id * 100000 + extract(epoch FROM w.week)::bigint / 604800, 126) END)::numeric, 6),
       jsonb_build_object('source', CASE WHEN t.sport = 'nfl' THEN 'nflverse' ELSE 'nba_stats' END),
       w.week + interval '6 hours'
FROM feature_definitions f
JOIN teams t ON t.sport = coalesce(f.sport, t.sport) AND f.category = 'team_stats'
CROSS JOIN demo_params p
CROSS JOIN generate_series(date_trunc('week', p.period_start), p.as_of, interval '7 days') w(week)
WHERE f.feature_name <> 'home_advantage_score' OR t.sport = 'nfl';

-- Each version's training: a dataset built between its creation and its training step, and the
-- runs of its training step (schema.sql's lifecycle, recorded in the version lifecycles step),
-- all finished before it moved on to validating.
CREATE TEMP TABLE demo_training ON COMMIT DROP AS
SELECT m.model_id, s.since AS training_at, s.until AS validating_at,
       m.created_at + (s.since - m.created_at) / 2 AS dataset_at, extract(epoch FROM s.until - s.since) AS seconds
FROM probability_models m
JOIN demo_spans s ON s.kind = 'model' AND s.version_id = m.model_id AND s.status = 'training';

INSERT INTO training_datasets (dataset_name, sport, model_type, label_type, start_date, end_date, feature_snapshot_date,
                               sample_count, feature_ids, feature_count, train_test_split, storage_path, checksum,
                               file_size_mb, description, created_at, created_by)
SELECT m.model_name || '_' || replace(m.model_version, '.', '_') || '_train', coalesce(m.sport, 'politics'), 'classification', 'win_loss',
       tr.dataset_at - interval '1 day' - interval '3 years', tr.dataset_at - interval '1 day', tr.dataset_at - interval '1 day',
       2000 + (m.model_id * 373) % 3000, f.ids, jsonb_array_length(f.ids),
       '{"train": 0.8, "val": 0.1, "test": 0.1}'::jsonb,
       's3://precog-ml/datasets/' || m.model_name || '/' || m.model_version || '.parquet', md5(m.model_name || m.model_version),
       round((12 + (m.model_id * 7) % 40)::numeric, 2),
       'Training set for ' || m.model_name || ' ' || m.model_version, tr.dataset_at, m.created_by
FROM probability_models m
JOIN demo_training tr USING (model_id)
CROSS JOIN LATERAL (SELECT coalesce(jsonb_agg(fd.feature_id ORDER BY fd.feature_id), '[]'::jsonb) AS ids
                    FROM feature_definitions fd WHERE fd.sport = m.sport OR (m.sport IS NULL AND fd.sport IS NULL)) f;

-- Training runs: a tuning run and the final run per version (the final one's metrics are the
-- validation metrics on the version), plus a failed run for some. Each run weighs the version's
-- own features (a feature first in its list weighs most, with the run's own noise).
INSERT INTO model_training_runs (model_id, dataset_id, training_started_at, training_completed_at, training_duration_seconds,
                                 hyperparameters, metrics, train_metrics, val_metrics, test_metrics, feature_importance,
                                 hardware_specs, framework_version, status, error_message, notes, created_at, created_by)
SELECT m.model_id, d.dataset_id, r.started, r.started + make_interval(secs => r.duration), r.duration,
       r.hyper, r.val, r.train, r.val, r.test, r.importance,
       '{"cpu": "AMD EPYC 7B13", "ram_gb": 32}'::jsonb,
       CASE m.model_type WHEN 'regression' THEN 'scikit-learn==1.5.2' WHEN 'ensemble' THEN 'xgboost==2.0.3' ELSE 'precog-elo==0.4.1' END,
       r.status, r.error, r.note, r.started, m.created_by
FROM probability_models m
JOIN demo_model_versions v USING (model_name, model_version)
JOIN demo_training tr USING (model_id)
JOIN training_datasets d ON d.dataset_name = m.model_name || '_' || replace(m.model_version, '.', '_') || '_train'
CROSS JOIN LATERAL (
    SELECT tr.training_at + make_interval(secs => tr.seconds * CASE run WHEN 1 THEN 0.05 ELSE 0.5 END) AS started,
           round(least(600 + ((m.model_id * 97 + run * 31) % 1800), tr.seconds * 0.25))::int AS duration,
           CASE WHEN m.model_type = 'elo' THEN jsonb_build_object('k_factor', (m.config ->> 'k_factor')::int + (run - 2) * 2, 'home_advantage', m.config -> 'home_advantage')
                ELSE jsonb_build_object('learning_rate', 0.05 * run, 'max_depth', 3 + run, 'n_estimators', 100 * run) END AS hyper,
           jsonb_build_object('accuracy', round(v.acc - 0.012 * (2 - run), 4), 'auc', round(v.auc - 0.01 * (2 - run), 4),
                              'brier_score', round(v.brier + 0.006 * (2 - run), 4), 'log_loss', round(v.logloss + 0.015 * (2 - run), 4),
                              'ece', round(v.ece + 0.004 * (2 - run), 4), 'calibration', round(1 - v.ece - 0.004 * (2 - run), 4)) AS val,
           jsonb_build_object('accuracy', round(v.acc + 0.03, 4), 'auc', round(v.auc + 0.03, 4), 'brier_score', round(v.brier - 0.015, 4),
                              'log_loss', round(v.logloss - 0.04, 4)) AS train,
           jsonb_build_object('accuracy', round(v.acc - 0.006, 4), 'auc', round(v.auc - 0.005, 4), 'brier_score', round(v.brier + 0.003, 4),
                              'log_loss', round(v.logloss + 0.008, 4)) AS test,
           (SELECT jsonb_object_agg(w.name, round((w.w / w.total)::numeric, 3))
            FROM (SELECT f.name, x.w, sum(x.w) OVER () AS total
                  FROM unnest(v.features) WITH ORDINALITY AS f(name, ord)
                  CROSS JOIN LATERAL (SELECT exp(0.2 * pg_temp.n(m.model_id * 1000 + run * 100 + f.ord, 131)) / f.ord AS w) x) w
           ) AS importance,
           'completed' AS status, NULL AS error,
           CASE run WHEN 2 THEN 'Final run; metrics recorded on the version' ELSE 'Tuning run' END AS note
    FROM generate_series(1, 2) run
    UNION ALL
    SELECT tr.training_at + make_interval(secs => tr.seconds * 0.35), round(least(95, tr.seconds * 0.05))::int,
           '{"learning_rate": 0.5}'::jsonb, NULL, NULL, NULL, NULL, 'failed',
           'Diverged: validation log loss went to NaN at epoch 3', 'Learning rate too high'
    WHERE m.model_id % 3 = 0
) r
WHERE v.acc IS NOT NULL
ORDER BY m.model_id, r.started;  -- run ids in the order the runs started
