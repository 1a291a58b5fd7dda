-- A small trading history written the way the trading system writes a database made from the
-- schema document's own CREATE statements (tests/seed_schema.sql): a few hundred rows.
--  * markets and positions have their business key as PRIMARY KEY there, so their rows are
--    updated in place (the monitoring loop's UPDATEs of prices and P&L);
--  * game_states, edges and account_balance are SCD Type 2 as the seed says: INSERT the new current
--    row, then UPDATE the old one to row_current_ind = FALSE, in one transaction;
--  * trades, exits, attempts and settlements are appended; alerts are raised, acknowledged and
--    resolved; versions are created with the seed's own example statements.
-- Everything is deterministic (no random()), so fingerprints are comparable across runs.

INSERT INTO platforms (platform_id, platform_type, display_name, base_url, auth_method, fees_structure, created_at)
VALUES ('kalshi', 'trading', 'Kalshi', 'https://trading-api.kalshi.com', 'rsa_pss', '{"taker": 0.07}', '2025-09-01'),
       ('polymarket', 'trading', 'Polymarket', 'https://clob.polymarket.com', 'metamask', '{"taker": 0.0}', '2025-09-01'),
       ('espn', 'data_source', 'ESPN', 'https://site.api.espn.com', 'api_key', NULL, '2025-09-01');

INSERT INTO series (series_id, platform_id, external_id, category, subcategory, title, frequency, created_at)
VALUES ('NFL-2025', 'kalshi', 'KXNFL', 'sports', 'nfl', 'NFL 2025 games', 'recurring', '2025-09-01'),
       ('NBA-2025', 'kalshi', 'KXNBA', 'sports', 'nba', 'NBA 2025-26 games', 'recurring', '2025-09-01'),
       ('PRES-2028', 'polymarket', 'pres-2028', 'politics', 'presidential', 'Presidential polls 2028', 'single', '2025-09-01');

INSERT INTO events (event_id, platform_id, series_id, external_id, category, subcategory, title, start_time, end_time,
                    status, created_at)
SELECT 'EV-' || i, CASE WHEN i % 4 = 0 THEN 'polymarket' ELSE 'kalshi' END,
       CASE i % 4 WHEN 0 THEN 'PRES-2028' WHEN 1 THEN 'NFL-2025' ELSE 'NBA-2025' END,
       'ext-ev-' || i, CASE WHEN i % 4 = 0 THEN 'politics' ELSE 'sports' END,
       CASE i % 4 WHEN 0 THEN 'presidential' WHEN 1 THEN 'nfl' ELSE 'nba' END,
       'Event ' || i, timestamp '2025-10-01' + i * interval '1 day', timestamp '2025-10-01' + i * interval '1 day' + interval '3 hours',
       CASE WHEN i <= 9 THEN 'final' ELSE 'scheduled' END, timestamp '2025-09-20' + i * interval '1 hour'
FROM generate_series(1, 12) i;

-- One market per event and side of the book; those of finished events settle (status 'settled').
INSERT INTO markets (market_id, platform_id, event_id, external_id, ticker, title, market_type, yes_price, no_price,
                     volume, open_interest, spread, status, settlement_value, created_at, updated_at)
SELECT 'MKT-' || i, CASE WHEN i % 4 = 0 THEN 'polymarket' ELSE 'kalshi' END, 'EV-' || (1 + (i - 1) % 12),
       'ext-mkt-' || i, 'KX-' || i, 'Will team ' || i || ' win?', 'binary',
       round((0.30 + (i % 7) * 0.06)::numeric, 4), round((0.70 - (i % 7) * 0.06)::numeric, 4),
       1000 * i, 100 * i, 0.0200, 'open', NULL,
       timestamp '2025-09-25' + i * interval '2 hours', timestamp '2025-09-25' + i * interval '2 hours'
FROM generate_series(1, 30) i;

-- The monitoring loop moves prices in place (the seed's markets cannot hold history rows).
UPDATE markets SET yes_price = round(yes_price + 0.0300, 4), no_price = round(no_price - 0.0300, 4),
                   updated_at = updated_at + interval '1 day'
WHERE right(market_id, 1) IN ('1', '3', '5', '7');

-- Markets of finished events settle.
UPDATE markets SET status = 'settled', settlement_value = CASE WHEN substr(market_id, 5)::int % 2 = 0 THEN 1 ELSE 0 END,
                   yes_price = CASE WHEN substr(market_id, 5)::int % 2 = 0 THEN 1 ELSE 0 END,
                   no_price = CASE WHEN substr(market_id, 5)::int % 2 = 0 THEN 0 ELSE 1 END,
                   updated_at = timestamp '2025-10-01' + ((1 + (substr(market_id, 5)::int - 1) % 12) * interval '1 day') + interval '4 hours'
WHERE (1 + (substr(market_id, 5)::int - 1) % 12) <= 9;

-- Game states, SCD Type 2: the first row, then for each update a new current row and the old one closed.
INSERT INTO game_states (event_id, external_game_id, sport, home_team, away_team, home_score, away_score, period,
                         time_remaining, status, created_at, updated_at)
SELECT 'EV-' || i, 'game-' || i, CASE i % 4 WHEN 1 THEN 'nfl' ELSE 'nba' END, 'HOME' || i, 'AWAY' || i, 0, 0, 'Q1',
       '15:00', 'live', timestamp '2025-10-01' + i * interval '1 day', timestamp '2025-10-01' + i * interval '1 day'
FROM generate_series(1, 12) i WHERE i % 4 <> 0;

DO $$
DECLARE
    step int;
    ev record;
BEGIN
    FOR step IN 1 .. 3 LOOP
        FOR ev IN SELECT * FROM game_states WHERE row_current_ind ORDER BY game_state_id LOOP
            INSERT INTO game_states (event_id, external_game_id, sport, home_team, away_team, home_score, away_score,
                                     period, time_remaining, status, created_at, updated_at)
            VALUES (ev.event_id, ev.external_game_id, ev.sport, ev.home_team, ev.away_team, ev.home_score + 3 * step,
                    ev.away_score + 2 * step, 'Q' || (step + 1), '10:00', CASE WHEN step = 3 THEN 'final' ELSE 'live' END,
                    ev.created_at + step * interval '40 minutes', ev.created_at + step * interval '40 minutes');
            UPDATE game_states SET row_current_ind = FALSE, updated_at = ev.created_at + step * interval '40 minutes'
            WHERE game_state_id = ev.game_state_id;
        END LOOP;
    END LOOP;
END $$;

INSERT INTO probability_matrices (category, subcategory, version, state_descriptor, value_bucket, win_probability,
                                  confidence_interval_lower, confidence_interval_upper, sample_size, source, created_at)
VALUES ('sports', 'nfl', 'v1.0', 'halftime', '10+_points', 0.8500, 0.8100, 0.8900, 412, 'pfr', '2025-09-01'),
       ('sports', 'nfl', 'v1.0', 'halftime', '3to9_points', 0.6800, 0.6300, 0.7300, 655, 'pfr', '2025-09-01'),
       ('sports', 'nba', 'v1.0', 'halftime', '10+_points', 0.8200, 0.7900, 0.8500, 901, 'bbref', '2025-09-01');

-- Versions, written as the seed's example statements write them (names of their own, so that the
-- seed's examples can run after the install: tests/test_install.py).
INSERT INTO probability_models (model_name, model_version, model_type, sport, config, status)
VALUES ('glicko_nfl', 'v1.0', 'elo', 'nfl', '{"k_factor": 28, "initial_rating": 1500}', 'active');
INSERT INTO probability_models (model_name, model_version, model_type, sport, config, status)
VALUES ('glicko_nfl', 'v1.1', 'elo', 'nfl', '{"k_factor": 30, "initial_rating": 1500}', 'active');
UPDATE probability_models SET status = 'deprecated' WHERE model_name = 'glicko_nfl' AND model_version = 'v1.0';
INSERT INTO probability_models (model_name, model_version, model_type, sport, config, status, validation_accuracy,
                                validation_calibration, validation_sample_size, created_at, created_by)
VALUES ('regression_nba', 'v1.0', 'regression', 'nba', '{"features": ["net_rating", "pace"]}', 'active', 0.6600, 0.9500,
        1200, '2025-09-01', 'dev.okafor');
UPDATE probability_models SET created_at = '2025-09-02', created_by = 'maria.quant' WHERE model_name = 'glicko_nfl';

INSERT INTO strategies (strategy_name, strategy_version, strategy_type, sport, config, status)
VALUES ('halftime_fade', 'v1.0', 'entry', 'nfl', '{"min_lead": 7, "max_spread": 0.08}', 'testing');
INSERT INTO strategies (strategy_name, strategy_version, strategy_type, sport, config, status)
VALUES ('halftime_fade', 'v1.1', 'entry', 'nfl', '{"min_lead": 10, "max_spread": 0.08}', 'testing');
UPDATE strategies SET paper_roi = 0.15, paper_trades_count = 42
WHERE strategy_name = 'halftime_fade' AND strategy_version = 'v1.1';
INSERT INTO strategies (strategy_name, strategy_version, strategy_type, sport, config, status, created_at)
VALUES ('underdog_fade', 'v1.0', 'entry', 'nba', '{"max_underdog_price": 0.35}', 'active', '2025-09-01');
UPDATE strategies SET created_at = '2025-09-02' WHERE strategy_name = 'halftime_fade';

-- Edges, SCD Type 2 per market x strategy x model: a first edge, then two recomputations.
INSERT INTO edges (market_id, probability_matrix_id, strategy_id, model_id, expected_value, true_win_probability,
                   market_implied_probability, market_price, confidence_level, confidence_metrics, recommended_action,
                   created_at)
SELECT m.market_id, CASE WHEN s.sport = 'nfl' THEN 1 ELSE 3 END, s.strategy_id, pm.model_id,
       round((0.0500 + (substr(m.market_id, 5)::int % 5) * 0.0100)::numeric, 4),
       round((m.yes_price * 0 + 0.40 + (substr(m.market_id, 5)::int % 7) * 0.06 + 0.05)::numeric, 4),
       round((0.30 + (substr(m.market_id, 5)::int % 7) * 0.06)::numeric, 4),
       round((0.30 + (substr(m.market_id, 5)::int % 7) * 0.06)::numeric, 4),
       'high', '{"sample_size": 400}', 'auto_execute', m.created_at + interval '10 minutes'
FROM markets m
JOIN strategies s ON s.strategy_name = CASE WHEN substr(m.market_id, 5)::int % 2 = 0 THEN 'halftime_fade' ELSE 'underdog_fade' END
                 AND s.strategy_version = CASE WHEN s.strategy_name = 'underdog_fade' THEN 'v1.0'
                                               WHEN substr(m.market_id, 5)::int % 4 = 0 THEN 'v1.1' ELSE 'v1.0' END
JOIN probability_models pm ON pm.model_name = CASE WHEN s.sport = 'nfl' THEN 'glicko_nfl' ELSE 'regression_nba' END
                          AND pm.model_version = CASE WHEN pm.model_name = 'glicko_nfl' THEN 'v1.1' ELSE 'v1.0' END;

DO $$
DECLARE
    step int;
    e record;
BEGIN
    FOR step IN 1 .. 2 LOOP
        FOR e IN SELECT * FROM edges WHERE row_current_ind ORDER BY edge_id LOOP
            INSERT INTO edges (market_id, probability_matrix_id, strategy_id, model_id, expected_value,
                               true_win_probability, market_implied_probability, market_price, confidence_level,
                               confidence_metrics, recommended_action, created_at)
            VALUES (e.market_id, e.probability_matrix_id, e.strategy_id, e.model_id, round(e.expected_value - 0.0100, 4),
                    e.true_win_probability, round(e.market_implied_probability + 0.0100, 4),
                    round(e.market_price + 0.0100, 4), 'medium', e.confidence_metrics, 'alert',
                    e.created_at + step * interval '30 minutes');
            UPDATE edges SET row_current_ind = FALSE WHERE edge_id = e.edge_id;
        END LOOP;
    END LOOP;
END $$;

-- Positions: one per market of the first 24, entered on the market's first edge; the monitoring
-- loop updates them in place; positions on settled markets close.
INSERT INTO positions (market_id, platform_id, side, entry_price, quantity, fees, status, unrealized_pnl,
                       current_price, unrealized_pnl_pct, last_update, trailing_stop_state, created_at, updated_at)
SELECT m.market_id, m.platform_id, CASE WHEN i % 3 = 0 THEN 'no' ELSE 'yes' END,
       round((0.30 + (i % 7) * 0.06)::numeric, 4), 10 * (1 + i % 5), 0.0700, 'open', 0, round((0.30 + (i % 7) * 0.06)::numeric, 4),
       0.0000, m.created_at + interval '11 minutes',
       CASE WHEN i % 5 = 0 THEN jsonb_build_object('active', true, 'peak_price', '0.8000', 'current_stop_price', '0.7840',
                                                   'current_distance', '0.02') END,
       m.created_at + interval '11 minutes', m.created_at + interval '11 minutes'
FROM generate_series(1, 24) i
JOIN markets m ON m.market_id = 'MKT-' || i;

UPDATE positions SET current_price = round(entry_price + 0.0200, 4), unrealized_pnl = round(quantity * 0.0200, 4),
                     unrealized_pnl_pct = round(0.0200 / entry_price, 4), last_update = last_update + interval '30 seconds',
                     updated_at = updated_at + interval '30 seconds';

-- Entry trades, each on the edge that triggered it (its first edge row).
INSERT INTO trades (market_id, platform_id, position_id, edge_id, strategy_id, model_id, order_id, side, price, quantity,
                    fees, edge_at_execution, confidence_at_execution, created_at)
SELECT p.market_id, p.platform_id, p.position_id, e.edge_id, e.strategy_id, e.model_id, 'ord-' || p.position_id || '-1',
       'buy', p.entry_price, p.quantity, 0.0700, e.expected_value, e.confidence_level, p.created_at
FROM positions p
JOIN LATERAL (SELECT * FROM edges e WHERE e.market_id = p.market_id ORDER BY e.created_at, e.edge_id LIMIT 1) e ON true;

-- Exits: positions on settled markets exit before settlement, some in two parts; each exit is the
-- last of a run of attempts that walked the price.
INSERT INTO exit_attempts (position_id, exit_condition, priority_level, order_type, limit_price, fill_price, quantity,
                           attempt_number, timeout_seconds, success, created_at)
SELECT p.position_id, CASE WHEN p.position_id % 3 = 0 THEN 'stop_loss' ELSE 'profit_target' END,
       CASE WHEN p.position_id % 3 = 0 THEN 'CRITICAL' ELSE 'MEDIUM' END,
       CASE WHEN a = 3 THEN 'market' ELSE 'limit' END,
       CASE WHEN a = 3 THEN NULL ELSE round(p.entry_price + 0.0500 - a * 0.0100, 4) END,
       CASE WHEN a = 3 THEN round(p.entry_price + 0.0200, 4) END,
       p.quantity, a, 10, a = 3, p.created_at + interval '2 hours' + a * interval '10 seconds'
FROM positions p
JOIN markets m ON m.market_id = p.market_id AND m.status = 'settled'
CROSS JOIN generate_series(1, 3) a;

INSERT INTO position_exits (position_id, exit_condition, exit_priority, quantity_exited, exit_price,
                            unrealized_pnl_at_exit, created_at)
SELECT p.position_id, CASE WHEN p.position_id % 3 = 0 THEN 'stop_loss' ELSE 'profit_target' END,
       CASE WHEN p.position_id % 3 = 0 THEN 'CRITICAL' ELSE 'MEDIUM' END,
       CASE WHEN p.position_id % 2 = 0 THEN p.quantity / 2 ELSE p.quantity END, round(p.entry_price + 0.0200, 4),
       round(p.quantity * 0.0200, 4), p.created_at + interval '2 hours' + interval '31 seconds'
FROM positions p JOIN markets m ON m.market_id = p.market_id AND m.status = 'settled';
INSERT INTO position_exits (position_id, exit_condition, exit_priority, quantity_exited, exit_price,
                            unrealized_pnl_at_exit, created_at)
SELECT p.position_id, 'trailing_stop', 'HIGH', p.quantity - p.quantity / 2, round(p.entry_price + 0.0300, 4),
       round(p.quantity * 0.0300, 4), p.created_at + interval '3 hours'
FROM positions p JOIN markets m ON m.market_id = p.market_id AND m.status = 'settled'
WHERE p.position_id % 2 = 0;

INSERT INTO trades (market_id, platform_id, position_id, strategy_id, model_id, order_id, side, price, quantity, fees,
                    created_at)
SELECT p.market_id, p.platform_id, p.position_id, t.strategy_id, t.model_id, 'ord-' || x.exit_id, 'sell', x.exit_price,
       x.quantity_exited, 0.0700, x.created_at
FROM position_exits x
JOIN positions p ON p.position_id = x.position_id
JOIN trades t ON t.position_id = p.position_id AND t.side = 'buy';

UPDATE positions p SET status = 'closed', realized_pnl = s.pnl, unrealized_pnl = 0, exit_reason = s.last_condition,
                       exit_priority = s.last_priority, updated_at = s.closed_at
FROM (SELECT x.position_id, sum(x.quantity_exited * (x.exit_price - pp.entry_price)) AS pnl,
             (array_agg(x.exit_condition ORDER BY x.created_at DESC))[1] AS last_condition,
             (array_agg(x.exit_priority ORDER BY x.created_at DESC))[1] AS last_priority,
             max(x.created_at) AS closed_at
      FROM position_exits x JOIN positions pp ON pp.position_id = x.position_id GROUP BY x.position_id) s
WHERE s.position_id = p.position_id;

INSERT INTO settlements (market_id, platform_id, outcome, payout, created_at)
SELECT m.market_id, m.platform_id, CASE WHEN m.settlement_value = 1 THEN 'yes' ELSE 'no' END, 0, m.updated_at
FROM markets m WHERE m.status = 'settled';

-- Balances, SCD Type 2.
INSERT INTO account_balance (platform_id, balance, currency, created_at)
VALUES ('kalshi', 10000.0000, 'USD', '2025-09-01'), ('polymarket', 5000.0000, 'USD', '2025-09-01');
DO $$
DECLARE
    step int;
    b record;
BEGIN
    FOR step IN 1 .. 4 LOOP
        FOR b IN SELECT * FROM account_balance WHERE row_current_ind ORDER BY balance_id LOOP
            INSERT INTO account_balance (platform_id, balance, currency, created_at)
            VALUES (b.platform_id, b.balance + 125.5000 * step, b.currency, b.created_at + step * interval '7 days');
            UPDATE account_balance SET row_current_ind = FALSE WHERE balance_id = b.balance_id;
        END LOOP;
    END LOOP;
END $$;

INSERT INTO config_overrides (config_key, override_value, data_type, reason, applied_by, applied_at, expires_at, active)
VALUES ('trading.sports_live.execution.max_spread', '{"value": 0.08}', 'float', 'wide books at night', 'maria.quant',
        '2025-10-02', '2025-10-09', false),
       ('trading.kelly_fraction', '{"value": 0.2}', 'float', 'risk review', 'maria.quant', '2025-10-05', NULL, true);

INSERT INTO circuit_breaker_events (breaker_type, triggered_at, resolved_at, trigger_value, resolution_action, notes)
VALUES ('daily_loss_limit', '2025-10-03 18:00', '2025-10-04 09:00', '{"loss": 525.0}', 'manual_reset', 'reviewed'),
       ('api_failures', '2025-10-06 02:10', NULL, '{"failures": 12}', NULL, NULL);

INSERT INTO system_health (component, status, last_check, details, alert_sent)
SELECT c, CASE WHEN i % 5 = 0 THEN 'degraded' ELSE 'healthy' END, timestamp '2025-10-01' + i * interval '1 hour',
       jsonb_build_object('latency_ms', 40 + i), i % 5 = 0
FROM unnest(ARRAY['kalshi_api', 'database', 'edge_detector']) c, generate_series(1, 10) i;

-- Alerts: raised (the seed's example and more), some acknowledged, some of those resolved.
INSERT INTO alerts (alert_type, severity, category, component, message, details, notification_channels, fingerprint,
                    environment)
VALUES ('circuit_breaker', 'critical', 'risk', 'position_manager', 'Daily loss limit exceeded: $525.00 / $500.00 limit',
        '{"current_loss": 525.00, "limit": 500.00, "breaker_type": "daily_loss_limit"}',
        '{"email": true, "sms": true, "console": true, "file": true}',
        md5('circuit_breaker:position_manager:daily_loss_limit'), 'demo');
INSERT INTO alerts (alert_type, severity, category, component, message, details, source_table, source_id, triggered_at,
                    fingerprint, environment)
SELECT (ARRAY['api_failure', 'loss_threshold', 'health_degraded'])[1 + i % 3],
       (ARRAY['critical', 'high', 'medium', 'low'])[1 + i % 4], 'system',
       (ARRAY['kalshi_api', 'edge_detector', 'position_manager'])[1 + i % 3],
       'Alert number ' || i, jsonb_build_object('n', i), 'system_health', i,
       timestamp '2025-10-01' + i * interval '5 hours', md5('alert:' || i), 'prod'
FROM generate_series(1, 40) i;
UPDATE alerts SET acknowledged_at = triggered_at + interval '12 minutes', acknowledged_by = 'oncall.lee',
                  acknowledged_notes = 'looking'
WHERE alert_id % 3 <> 0 AND triggered_at < '2025-10-08';
UPDATE alerts SET resolved_at = acknowledged_at + interval '1 hour', resolved_by = 'oncall.lee',
                  resolution_action = (ARRAY['fixed', 'false_positive', 'ignored', 'escalated'])[1 + alert_id % 4],
                  resolved_notes = 'done'
WHERE acknowledged_at IS NOT NULL AND alert_id % 2 = 0;

INSERT INTO method_templates (template_name, description, position_mgmt_config, risk_config, execution_config)
VALUES ('cautious', 'Small Kelly, tight stops', '{"stop_loss": 0.10}', '{"kelly_fraction": 0.15}', '{"order_type": "limit"}');
INSERT INTO methods (method_name, method_version, strategy_id, model_id, position_mgmt_config, risk_config,
                     execution_config, sport_config, config_hash, status)
SELECT 'cautious_nfl', 'v1.0', s.strategy_id, pm.model_id, t.position_mgmt_config, t.risk_config, t.execution_config,
       '{}', md5(t.position_mgmt_config::text || t.risk_config::text), 'active'
FROM method_templates t, strategies s, probability_models pm
WHERE s.strategy_name = 'halftime_fade' AND s.strategy_version = 'v1.0' AND pm.model_name = 'glicko_nfl'
  AND pm.model_version = 'v1.1';

INSERT INTO feature_definitions (feature_name, feature_version, category, sport, calculation_method, data_type, unit, description)
VALUES ('team_rest_days', 'v1.0', 'team_stats', 'nfl', 'Win percentage over last 5 games', 'float', 'percentage', 'Rolling 5-game win rate');
INSERT INTO features_historical (feature_id, entity_type, entity_id, timestamp, feature_value)
VALUES (1, 'team', 'KC', '2024-10-01', 0.8000), (1, 'team', 'KC', '2024-10-15', 0.7500);
INSERT INTO training_datasets (dataset_name, sport, model_type, label_type, start_date, end_date, sample_count, feature_ids,
                               feature_count, train_test_split)
VALUES ('nba_2025_live', 'nfl', 'classification', 'win_loss', '2024-09-01', '2024-12-31', 500, '[1]', 1,
        '{"train": 0.8, "val": 0.1, "test": 0.1}');
INSERT INTO model_training_runs (model_id, dataset_id, training_started_at, training_completed_at, training_duration_seconds,
                                 hyperparameters, metrics, feature_importance, status)
SELECT pm.model_id, 1, '2024-10-24 10:00', '2024-10-24 10:15', 900, '{"k_factor": 30}', '{"accuracy": 0.72}',
       '{"team_rest_days": 1.0}', 'completed'
FROM probability_models pm WHERE pm.model_name = 'glicko_nfl' AND pm.model_version = 'v1.1';
