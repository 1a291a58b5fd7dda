"""Small hand-made rows for the rule tests: one platform, event, market (two price rows), model,
strategy, position, trade, exit, alert. Inserted inside the test's own transaction."""

# one platform and event, and the head of an INSERT of market rows (each fixture gives its own rows)
PLATFORM_EVENT_MARKETS = """
INSERT INTO platforms (platform_id, platform_type, display_name) VALUES ('kalshi', 'trading', 'Kalshi');
INSERT INTO events (event_id, platform_id, external_id, category, subcategory, title, status)
VALUES ('EV1', 'kalshi', 'ev1', 'sports', 'nfl', 'BUF at KC', 'live');
INSERT INTO markets (market_id, platform_id, event_id, external_id, ticker, title, yes_price, no_price, volume,
                     status, created_at, row_current_ind, row_end_ts)
"""

MINIMAL_ROWS = PLATFORM_EVENT_MARKETS + """VALUES ('M1', 'kalshi', 'EV1', 'm1', 'M1', 'Will KC win?', 0.5500, 0.4600, 100, 'open',
        '2026-01-01 10:00', FALSE, '2026-01-01 10:05'),
       ('M1', 'kalshi', 'EV1', 'm1', 'M1', 'Will KC win?', 0.6000, 0.4100, 150, 'open',
        '2026-01-01 10:05', TRUE, NULL);
INSERT INTO probability_models (model_id, model_name, model_version, model_type, sport, config, status)
VALUES (1, 'elo_nfl', 'v1.0', 'elo', 'nfl', '{"k_factor": 28}', 'active');
INSERT INTO strategies (strategy_id, strategy_name, strategy_version, strategy_type, sport, config, status)
VALUES (1, 'halftime_entry', 'v1.0', 'entry', 'nfl', '{"min_lead": 7}', 'testing');
INSERT INTO methods (method_id, method_name, method_version, strategy_id, model_id, position_mgmt_config, risk_config,
                     execution_config, sport_config, config_hash)
VALUES (1, 'conservative_nfl', 'v1.0', 1, 1, '{}', '{}', '{}', '{}', 'abc');
INSERT INTO edges (edge_id, market_id, strategy_id, model_id, expected_value, true_win_probability,
                   market_implied_probability, market_price)
VALUES (1, 'M1', 1, 1, 0.0800, 0.6800, 0.5940, 0.6000);
INSERT INTO positions (position_id, market_id, platform_id, side, entry_price, quantity, status)
VALUES (1, 'M1', 'kalshi', 'yes', 0.6000, 100, 'open');
INSERT INTO trades (trade_id, market_id, platform_id, position_id, edge_id, strategy_id, model_id, side, price, quantity)
VALUES (1, 'M1', 'kalshi', 1, 1, 1, 1, 'buy', 0.6000, 100);
INSERT INTO position_exits (exit_id, position_id, exit_condition, exit_priority, quantity_exited, exit_price)
VALUES (1, 1, 'partial_exit_target', 'MEDIUM', 50, 0.6900);
INSERT INTO exit_attempts (attempt_id, position_id, exit_condition, priority_level, order_type, limit_price, fill_price,
                           quantity, attempt_number, success)
VALUES (1, 1, 'partial_exit_target', 'MEDIUM', 'limit', 0.6900, 0.6900, 50, 1, TRUE);
INSERT INTO settlements (settlement_id, market_id, platform_id, outcome, payout) VALUES (1, 'M1', 'kalshi', 'yes', 50);
INSERT INTO account_balance (platform_id, balance) VALUES ('kalshi', 1000);
INSERT INTO game_states (event_id, sport, home_score, away_score, status) VALUES ('EV1', 'nfl', 7, 3, 'live');
INSERT INTO alerts (alert_id, alert_type, severity, component, message)
VALUES (1, 'api_failure', 'high', 'kalshi_api', 'Kalshi API returned HTTP 503');
-- the rows above chose their ids; move every sequence past them (sequences ignore rollback)
SELECT setval(c.oid, nextval(c.oid) + 1000) FROM pg_class c WHERE c.relkind = 'S' AND c.relnamespace = 'public'::regnamespace;
"""


def second_writer_waits_for_first(url: str, first, write, then=None) -> None:
    """Run `write(cursor)` in a second transaction (committed at its end) while `first`, a
    connection with an open transaction, holds what it needs; wait until the second is waiting for
    a lock, run `then(cursor of first)` if given (more of the first transaction's statements),
    commit `first`, and wait for the second to finish. For the two-writers tests of the
    summaries: the second must see the first's commit, not its own stale snapshot, and neither
    may deadlock."""
    import threading
    import time

    import psycopg2

    from queries import schema

    second = psycopg2.connect(schema.dsn(url))
    try:
        with second.cursor() as cur:
            cur.execute("SELECT pg_backend_pid()")
            second_pid = cur.fetchone()[0]
        failures: list[BaseException] = []

        def run_second():
            try:
                with second, second.cursor() as cur:
                    write(cur)
            except BaseException as error:  # reported in the test's thread
                failures.append(error)

        writer = threading.Thread(target=run_second)
        writer.start()
        with psycopg2.connect(schema.dsn(url)) as watcher, watcher.cursor() as cur:
            for _ in range(200):
                cur.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", (second_pid,))
                if cur.fetchone()[0] == "Lock":
                    break
                time.sleep(0.05)
            else:
                first.rollback()
                writer.join(timeout=30)
                raise AssertionError("the second writer never waited for the first")
        if then is not None:
            with first.cursor() as cur:
                then(cur)
        first.commit()
        writer.join(timeout=30)
        assert not writer.is_alive(), "the second writer did not finish"
        if failures:
            raise failures[0]
    finally:
        second.close()


# The attribution audit's hand-made database (tests/test_audit.py): a few clean trades and positions
# and one of each kind of finding, at known moments. T = 2026-04-01 12:00. Versions: strategy fade
# v1 (active since 2026-01-01), fade v2 (created 2026-03-01, testing), drift v1 (a draft); model elo
# v1 (active since 2026-01-01), elo v2 (created 2026-03-01, validating), ens v1 (active, deprecated
# on 2026-03-15 through the lifecycle function). Every position opens at T with 10 contracts.
#   trade 1   clean: fade v1 / elo v1, live, edge 2 s before          position 1 (open)
#   trade 2-3 clean: fade v2 / elo v1 on paper (testing), bought and sold    position 2 (closed)
#   trade 4   trade_before_edge: its edge was computed 30 s after it         position 4
#   trade 5   edge_mismatch: its edge names elo v2                            position 5
#   trade 6   before_strategy_created: fade v2 on 2026-02-01                  position 6
#   trade 7   before_model_created: elo v2 on 2026-02-01                      position 7
#   trade 8   strategy_not_trading: drift v1 is a draft                       position 8
#   trade 9   model_not_trading: ens v1 deprecated since 2026-03-15           position 9
#   trade 10  strategy_live_while_testing: fade v2 (testing) live             position 10
#   trade 11-12 position_quantities: sold 5, but the position holds 10         position 11
#   trade 13-14 position_mixed: the sell names elo v2                          position 12 (closed)
#   trade 15  model_live_while_validating: elo v2 (validating) live           position 13
AUDIT_T = "2026-04-01 12:00"
AUDIT_ROWS = PLATFORM_EVENT_MARKETS + """VALUES ('M1', 'kalshi', 'EV1', 'm1', 'M1', 'Will KC win?', 0.5000, 0.5100, 100, 'open', '2026-01-01 00:00', FALSE, '2026-04-01 12:10'),
       ('M1', 'kalshi', 'EV1', 'm1', 'M1', 'Will KC win?', 0.6000, 0.4100, 150, 'open', '2026-04-01 12:10', FALSE, '2026-04-01 14:00'),
       ('M1', 'kalshi', 'EV1', 'm1', 'M1', 'Will KC win?', 0.5500, 0.4600, 150, 'open', '2026-04-01 14:00', TRUE, NULL);
INSERT INTO strategies (strategy_id, strategy_name, strategy_version, strategy_type, sport, config, status, created_at)
VALUES (1, 'fade', 'v1', 'entry', 'nfl', '{"v": 1}', 'active', '2026-01-01'),
       (2, 'fade', 'v2', 'entry', 'nfl', '{"v": 2}', 'testing', '2026-03-01'),
       (3, 'drift', 'v1', 'entry', 'nfl', '{"v": 1}', 'draft', '2026-01-01');
INSERT INTO probability_models (model_id, model_name, model_version, model_type, sport, config, status, created_at)
VALUES (1, 'elo', 'v1', 'elo', 'nfl', '{"k": 1}', 'active', '2026-01-01'),
       (2, 'elo', 'v2', 'elo', 'nfl', '{"k": 2}', 'validating', '2026-03-01'),
       (3, 'ens', 'v1', 'ensemble', 'nfl', '{"w": 1}', 'active', '2026-01-01');
SELECT transition_version_status('model', 3, 'deprecated', 'ana', 'retired', 'replace', NULL, '2026-03-15 00:00');
INSERT INTO edges (edge_id, market_id, strategy_id, model_id, expected_value, true_win_probability,
                   market_implied_probability, market_price, created_at, row_current_ind, row_end_ts)
VALUES (1, 'M1', 1, 1, 0.0800, 0.6000, 0.5000, 0.5000, '2026-04-01 11:59:58', FALSE, '2026-04-01 11:59:59'),
       (2, 'M1', 2, 1, 0.0800, 0.6000, 0.5000, 0.5000, '2026-04-01 11:59:59', TRUE, NULL),
       (4, 'M1', 1, 1, 0.0800, 0.6000, 0.5000, 0.5000, '2026-04-01 12:00:30', TRUE, NULL),
       (5, 'M1', 1, 2, 0.0800, 0.6000, 0.5000, 0.5000, '2026-04-01 11:59:58', TRUE, NULL),
       (6, 'M1', 2, 1, 0.0800, 0.6000, 0.5000, 0.5000, '2026-02-01 11:59:58', FALSE, '2026-04-01 11:59:59'),
       (7, 'M1', 1, 2, 0.0800, 0.6000, 0.5000, 0.5000, '2026-02-01 11:59:58', FALSE, '2026-04-01 11:59:58'),
       (8, 'M1', 3, 1, 0.0800, 0.6000, 0.5000, 0.5000, '2026-04-01 11:59:58', TRUE, NULL),
       (9, 'M1', 1, 3, 0.0800, 0.6000, 0.5000, 0.5000, '2026-04-01 11:59:58', TRUE, NULL);
-- position rows: the opening row at T (10 held); positions 2 and 12 close at 13:00 (0 held)
INSERT INTO positions (position_id, market_id, platform_id, side, entry_price, quantity, status, realized_pnl,
                       created_at, row_current_ind, row_end_ts)
SELECT p, 'M1', 'kalshi', 'yes', 0.5000, 10, 'open', -0.0200,
       CASE WHEN p IN (6, 7) THEN timestamp '2026-02-01 12:00:01' ELSE timestamp '2026-04-01 12:00:01' END,
       p NOT IN (2, 12), CASE WHEN p IN (2, 12) THEN timestamp '2026-04-01 13:00' END
FROM unnest(ARRAY[1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]) p;
INSERT INTO positions (position_id, market_id, platform_id, side, entry_price, quantity, status, realized_pnl, created_at)
VALUES (2, 'M1', 'kalshi', 'yes', 0.5000, 0, 'closed', 0.4000, '2026-04-01 13:00'),
       (12, 'M1', 'kalshi', 'yes', 0.5000, 0, 'closed', 0.4000, '2026-04-01 13:00');
INSERT INTO trades (trade_id, market_id, platform_id, position_id, edge_id, strategy_id, model_id, side, price, quantity,
                    created_at, execution_mode)
VALUES (1, 'M1', 'kalshi', 1, 1, 1, 1, 'buy', 0.5000, 10, '2026-04-01 12:00', 'live'),
       (2, 'M1', 'kalshi', 2, 2, 2, 1, 'buy', 0.5000, 10, '2026-04-01 12:00', 'paper'),
       (3, 'M1', 'kalshi', 2, NULL, 2, 1, 'sell', 0.5400, 10, '2026-04-01 13:00', 'paper'),
       (4, 'M1', 'kalshi', 4, 4, 1, 1, 'buy', 0.5000, 10, '2026-04-01 12:00', 'live'),
       (5, 'M1', 'kalshi', 5, 5, 1, 1, 'buy', 0.5000, 10, '2026-04-01 12:00', 'live'),
       (6, 'M1', 'kalshi', 6, 6, 2, 1, 'buy', 0.5000, 10, '2026-02-01 12:00', 'paper'),
       (7, 'M1', 'kalshi', 7, 7, 1, 2, 'buy', 0.5000, 10, '2026-02-01 12:00', 'paper'),
       (8, 'M1', 'kalshi', 8, 8, 3, 1, 'buy', 0.5000, 10, '2026-04-01 12:00', 'paper'),
       (9, 'M1', 'kalshi', 9, 9, 1, 3, 'buy', 0.5000, 10, '2026-04-01 12:00', 'live'),
       (10, 'M1', 'kalshi', 10, 2, 2, 1, 'buy', 0.5000, 10, '2026-04-01 12:00', 'live'),
       (11, 'M1', 'kalshi', 11, 1, 1, 1, 'buy', 0.5000, 10, '2026-04-01 12:00', 'live'),
       (12, 'M1', 'kalshi', 11, NULL, 1, 1, 'sell', 0.5400, 5, '2026-04-01 13:00', 'live'),
       (13, 'M1', 'kalshi', 12, 1, 1, 1, 'buy', 0.5000, 10, '2026-04-01 12:00', 'live'),
       (14, 'M1', 'kalshi', 12, NULL, 1, 2, 'sell', 0.5400, 10, '2026-04-01 13:00', 'live'),
       (15, 'M1', 'kalshi', 13, 5, 1, 2, 'buy', 0.5000, 10, '2026-04-01 12:00', 'live');
SELECT setval(c.oid, nextval(c.oid) + 1000) FROM pg_class c WHERE c.relkind = 'S' AND c.relnamespace = 'public'::regnamespace;
"""
# What the audit must find in AUDIT_ROWS, and nothing else: (kind, subject id).
AUDIT_FINDINGS = {("trade_before_edge", 4), ("edge_mismatch", 5), ("before_strategy_created", 6),
                  ("before_model_created", 7), ("strategy_not_trading", 8), ("model_not_trading", 9),
                  ("strategy_live_while_testing", 10), ("model_live_while_validating", 15),
                  ("position_quantities", 11), ("position_mixed", 12)}
