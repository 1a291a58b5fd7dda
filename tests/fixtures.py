"""Small hand-made rows for the rule tests: one platform, event, market (two price rows), model,
strategy, position, trade, exit, alert. Inserted inside the test's own transaction."""

MINIMAL_ROWS = """
INSERT INTO platforms (platform_id, platform_type, display_name) VALUES ('kalshi', 'trading', 'Kalshi');
INSERT INTO events (event_id, platform_id, external_id, category, subcategory, title, status)
VALUES ('EV1', 'kalshi', 'ev1', 'sports', 'nfl', 'BUF at KC', 'live');
INSERT INTO markets (market_id, platform_id, event_id, external_id, ticker, title, yes_price, no_price, volume,
                     status, created_at, row_current_ind, row_end_ts)
VALUES ('M1', 'kalshi', 'EV1', 'm1', 'M1', 'Will KC win?', 0.5500, 0.4600, 100, 'open',
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
