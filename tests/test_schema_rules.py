"""The database itself refuses what the seed forbids: one test per rule, each showing a refusal."""
from __future__ import annotations

import psycopg2
import pytest
from psycopg2 import errors

from queries import schema
from tests.fixtures import MINIMAL_ROWS


@pytest.fixture
def rows(db):
    db.execute(MINIMAL_ROWS)
    db.execute("SAVEPOINT fixture")
    return db


def refused(cur, statement: str, params=None, *, check_now: bool = False) -> psycopg2.Error:
    """Run a statement that must fail; return the error (the transaction stays usable)."""
    cur.execute("SAVEPOINT attempt")
    with pytest.raises(psycopg2.Error) as caught:
        cur.execute(statement, params)
        if check_now:
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # deferred checks run now, as at commit
    cur.execute("ROLLBACK TO SAVEPOINT attempt")
    return caught.value


# --- applying the schema ---------------------------------------------------------------------
CATALOG_SNAPSHOT = """
SELECT string_agg(x, E'\n' ORDER BY x) FROM (
    SELECT c.relkind::text || ' ' || c.relname FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace
    UNION ALL SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' ' || coalesce(column_default, '')
      FROM information_schema.columns WHERE table_schema = 'public'
    UNION ALL SELECT 'constraint ' || conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint
      WHERE connamespace = 'public'::regnamespace
    UNION ALL SELECT 'trigger ' || tgname || ' ' || pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal
    UNION ALL SELECT 'function ' || proname || ' ' || md5(prosrc) FROM pg_proc WHERE pronamespace = 'public'::regnamespace
    UNION ALL SELECT 'view ' || viewname || ' ' || md5(definition) FROM pg_views WHERE schemaname = 'public'
    UNION ALL SELECT 'version ' || version FROM schema_version
) t(x)
"""


def test_schema_applies_twice_and_the_second_time_changes_nothing(databases):
    url = databases.create("twice")
    conn = schema.connect(url)
    with conn, conn.cursor() as cur:
        cur.execute(CATALOG_SNAPSHOT)
        before = cur.fetchone()[0]
    schema.apply_schema(url)
    with conn, conn.cursor() as cur:
        cur.execute(CATALOG_SNAPSHOT)
        after = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM schema_version")
        versions = cur.fetchone()[0]
    conn.close()
    assert after == before
    assert versions == 1
    assert schema.schema_version(url) == schema.required_version() != ""


SEED_TABLES = {
    "platforms", "series", "events", "markets", "game_states", "probability_matrices", "probability_models",
    "strategies", "edges", "positions", "trades", "position_exits", "exit_attempts", "settlements",
    "account_balance", "config_overrides", "circuit_breaker_events", "system_health", "alerts", "methods",
    "method_templates", "feature_definitions", "features_historical", "training_datasets",
    "model_training_runs", "teams", "elo_rating_history",
}
SEED_VIEWS = {"active_strategies", "active_models", "trade_attribution", "current_markets",
              "current_game_states", "current_edges", "open_positions", "current_balances"}


def test_every_seed_table_and_view_exists_and_no_view_orders(db):
    db.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'")
    tables = {r[0] for r in db.fetchall()}
    assert len(SEED_TABLES) == 27
    assert SEED_TABLES <= tables
    db.execute("SELECT viewname, definition FROM pg_views WHERE schemaname = 'public'")
    views = dict(db.fetchall())
    assert SEED_VIEWS <= set(views)
    assert not [name for name, definition in views.items() if "ORDER BY" in definition.upper()]


# --- immutable versions ------------------------------------------------------------------------
@pytest.mark.parametrize("statement", [
    "UPDATE probability_models SET config = '{\"k_factor\": 30}' WHERE model_id = 1",
    "UPDATE probability_models SET model_version = 'v1.1' WHERE model_id = 1",
    "UPDATE probability_models SET model_name = 'elo_nfl_x' WHERE model_id = 1",
    "DELETE FROM probability_models WHERE model_id = 1",
    "UPDATE strategies SET config = '{\"min_lead\": 10}' WHERE strategy_id = 1",
    "UPDATE strategies SET strategy_version = 'v9' WHERE strategy_id = 1",
    "UPDATE strategies SET strategy_name = 'other' WHERE strategy_id = 1",
    "UPDATE methods SET risk_config = '{\"kelly\": 1}' WHERE method_id = 1",
    "UPDATE methods SET method_version = 'v2.0' WHERE method_id = 1",
])
def test_version_config_name_and_version_are_immutable(rows, statement):
    error = refused(rows, statement)
    assert "immutable" in str(error)


def test_version_status_and_metrics_stay_updatable(rows):
    rows.execute("UPDATE probability_models SET status = 'deprecated', validation_accuracy = 0.7100 WHERE model_id = 1")
    rows.execute("UPDATE strategies SET status = 'active', paper_roi = 0.1500, paper_trades_count = 42 WHERE strategy_id = 1")
    rows.execute("UPDATE methods SET status = 'active', win_rate = 0.5500 WHERE method_id = 1")
    rows.execute("SELECT status, validation_accuracy::text FROM probability_models WHERE model_id = 1")
    assert rows.fetchone() == ("deprecated", "0.7100")


# --- append-only tables ------------------------------------------------------------------------
@pytest.mark.parametrize("table, key", [
    ("trades", "trade_id"), ("settlements", "settlement_id"),
    ("position_exits", "exit_id"), ("exit_attempts", "attempt_id"),
])
def test_append_only_tables_refuse_update_delete_and_truncate(rows, table, key):
    assert "append-only" in str(refused(rows, f"UPDATE {table} SET created_at = NOW() WHERE {key} = 1"))
    assert "append-only" in str(refused(rows, f"DELETE FROM {table} WHERE {key} = 1"))
    assert "append-only" in str(refused(rows, f"TRUNCATE {table} CASCADE"))
    rows.execute(f"SELECT count(*) FROM {table}")
    assert rows.fetchone()[0] == 1


# --- SCD Type 2: exactly one current row per key -------------------------------------------------
SECOND_CURRENT_ROW = {
    "markets": "INSERT INTO markets (market_id, platform_id, event_id, external_id, title, yes_price) "
               "VALUES ('M1', 'kalshi', 'EV1', 'm1', 'Will KC win?', 0.6200)",
    "positions": "INSERT INTO positions (position_id, market_id, platform_id, side, entry_price, quantity) "
                 "VALUES (1, 'M1', 'kalshi', 'yes', 0.6000, 50)",
    "edges": "INSERT INTO edges (market_id, strategy_id, model_id, expected_value, true_win_probability, "
             "market_implied_probability, market_price) VALUES ('M1', 1, 1, 0.05, 0.65, 0.60, 0.60)",
    "game_states": "INSERT INTO game_states (event_id, sport, home_score, away_score) VALUES ('EV1', 'nfl', 14, 3)",
    "account_balance": "INSERT INTO account_balance (platform_id, balance) VALUES ('kalshi', 1200)",
}


@pytest.mark.parametrize("table", sorted(SECOND_CURRENT_ROW))
def test_a_second_current_row_for_one_key_is_refused(rows, table):
    error = refused(rows, SECOND_CURRENT_ROW[table], check_now=True)
    assert isinstance(error, errors.ExclusionViolation)


def test_the_seeds_insert_then_update_order_works_inside_a_transaction(rows):
    rows.execute("INSERT INTO markets (market_id, platform_id, event_id, external_id, title, yes_price, created_at) "
                 "VALUES ('M1', 'kalshi', 'EV1', 'm1', 'Will KC win?', 0.6200, '2026-01-01 10:10')")
    rows.execute("UPDATE markets SET row_current_ind = FALSE WHERE market_id = 'M1' AND row_current_ind "
                 "AND created_at < '2026-01-01 10:10'")
    rows.execute("SET CONSTRAINTS ALL IMMEDIATE")
    rows.execute("SELECT yes_price, (SELECT count(*) FROM markets WHERE market_id = 'M1' AND row_end_ts IS NOT NULL) "
                 "FROM current_markets WHERE market_id = 'M1'")
    price, closed_rows = rows.fetchone()
    assert float(price) == 0.62
    assert closed_rows == 2  # the superseded row got its row_end_ts stamped


def test_a_key_cannot_be_left_without_a_current_row(rows):
    error = refused(rows, "UPDATE markets SET row_current_ind = FALSE WHERE market_id = 'M1' AND row_current_ind",
                    check_now=True)
    assert "without a current row" in str(error)


def test_history_rows_and_business_keys_do_not_change(rows):
    assert "history rows" in str(refused(rows, "UPDATE markets SET yes_price = 0.1 WHERE market_id = 'M1' AND NOT row_current_ind"))
    assert "business key" in str(refused(rows, "UPDATE markets SET market_id = 'M2' WHERE row_current_ind"))
    assert "business key" in str(refused(rows, "UPDATE positions SET position_id = 2"))


# --- references to SCD business keys -------------------------------------------------------------
@pytest.mark.parametrize("statement", [
    "INSERT INTO edges (market_id, expected_value, true_win_probability, market_implied_probability, market_price) "
    "VALUES ('NOPE', 0.05, 0.5, 0.5, 0.5)",
    "INSERT INTO positions (market_id, side, entry_price, quantity) VALUES ('NOPE', 'yes', 0.5, 1)",
    "INSERT INTO trades (market_id, side, price, quantity) VALUES ('NOPE', 'buy', 0.5, 1)",
    "INSERT INTO settlements (market_id, outcome, payout) VALUES ('NOPE', 'yes', 0)",
    "INSERT INTO trades (market_id, position_id, side, price, quantity) VALUES ('M1', 999, 'buy', 0.5, 1)",
    "INSERT INTO position_exits (position_id, exit_condition, exit_priority, quantity_exited, exit_price) "
    "VALUES (999, 'stop_loss', 'CRITICAL', 1, 0.5)",
    "INSERT INTO exit_attempts (position_id, exit_condition, priority_level, order_type, quantity, attempt_number) "
    "VALUES (999, 'stop_loss', 'CRITICAL', 'market', 1, 1)",
])
def test_references_to_unknown_markets_or_positions_are_refused(rows, statement):
    assert isinstance(refused(rows, statement), errors.ForeignKeyViolation)


def test_the_last_row_of_a_referenced_market_cannot_be_deleted(rows):
    rows.execute("DELETE FROM markets WHERE market_id = 'M1' AND NOT row_current_ind")  # history may go
    error = refused(rows, "DELETE FROM markets WHERE market_id = 'M1'")
    assert isinstance(error, errors.ForeignKeyViolation)


# --- value ranges ----------------------------------------------------------------------------------
@pytest.mark.parametrize("statement", [
    "UPDATE markets SET yes_price = 1.5 WHERE row_current_ind",
    "UPDATE markets SET no_price = -0.01 WHERE row_current_ind",
    "UPDATE markets SET volume = -1 WHERE row_current_ind",
    "INSERT INTO trades (market_id, side, price, quantity) VALUES ('M1', 'buy', 1.5, 1)",
    "INSERT INTO trades (market_id, side, price, quantity) VALUES ('M1', 'buy', 0.5, -3)",
    "INSERT INTO edges (market_id, expected_value, true_win_probability, market_implied_probability, market_price) "
    "VALUES ('M1', 0.05, 1.2, 0.5, 0.5)",
    "UPDATE positions SET quantity = -5",
    "UPDATE positions SET current_price = 2",
    "INSERT INTO exit_attempts (position_id, exit_condition, priority_level, order_type, limit_price, quantity, attempt_number) "
    "VALUES (1, 'stop_loss', 'CRITICAL', 'limit', 1.01, 1, 1)",
    "INSERT INTO account_balance (platform_id, balance, currency) VALUES ('kalshi', -1, 'EUR')",
    "UPDATE probability_models SET validation_accuracy = 1.2 WHERE model_id = 1",
    "UPDATE probability_models SET status = 'retired' WHERE model_id = 1",
])
def test_prices_probabilities_and_quantities_stay_in_range(rows, statement):
    assert isinstance(refused(rows, statement), errors.CheckViolation)


def test_prices_are_exact_decimals_with_four_places(db):
    db.execute("SELECT numeric_precision, numeric_scale FROM information_schema.columns "
               "WHERE table_name = 'trades' AND column_name = 'price'")
    assert db.fetchone() == (10, 4)


# --- alerts ----------------------------------------------------------------------------------------
def test_an_alert_cannot_be_resolved_before_it_is_acknowledged(rows):
    error = refused(rows, "UPDATE alerts SET resolved_at = NOW(), resolved_by = 'bob', resolution_action = 'fixed' "
                          "WHERE alert_id = 1")
    assert "acknowledged_before_resolved" in str(error)
    rows.execute("UPDATE alerts SET acknowledged_at = NOW(), acknowledged_by = 'alice' WHERE alert_id = 1")
    rows.execute("UPDATE alerts SET resolved_at = NOW(), resolved_by = 'bob', resolution_action = 'fixed' WHERE alert_id = 1")


@pytest.mark.parametrize("statement", [
    "INSERT INTO alerts (alert_type, severity, component, message) VALUES ('x', 'urgent', 'c', 'm')",
    "UPDATE alerts SET acknowledged_at = NOW(), acknowledged_by = 'a', resolved_at = NOW(), resolved_by = 'a', "
    "resolution_action = 'deleted' WHERE alert_id = 1",
])
def test_alert_severity_and_resolution_action_take_only_the_seeds_values(rows, statement):
    assert isinstance(refused(rows, statement), errors.CheckViolation)
