"""The demo data: fills every table, keeps every rule, is the same for the same seed, and its
model versions really differ."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from demo import loader
from queries import schema
from tests.test_schema_rules import SEED_TABLES

TABLE_FINGERPRINT = "SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {table} t"


def _one(url: str, sql: str, params=None):
    conn = schema.connect(url)
    try:
        with conn, conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchone()
    finally:
        conn.close()


def test_demo_data_fills_every_table(demo_url):
    empty = [t for t in sorted(SEED_TABLES) if _one(demo_url, f"SELECT count(*) FROM {t}")[0] == 0]
    assert empty == []


def test_demo_data_has_what_the_pages_need(demo_url):
    counts = _one(demo_url, """
        SELECT (SELECT count(DISTINCT platform_id) FROM markets),
               (SELECT count(DISTINCT subcategory) FROM events),
               (SELECT min(n) FROM (SELECT count(*) n FROM probability_models GROUP BY model_name) x),
               (SELECT count(*) FROM position_exits x WHERE EXISTS (
                    SELECT 1 FROM position_exits y WHERE y.position_id = x.position_id AND y.exit_id <> x.exit_id)),
               (SELECT count(*) FROM exit_attempts WHERE attempt_number > 1),
               (SELECT count(DISTINCT severity) FROM alerts),
               (SELECT count(*) FROM alerts WHERE suppressed),
               (SELECT count(*) FROM alerts WHERE resolved_at IS NULL AND acknowledged_at IS NULL),
               (SELECT count(*) FROM alerts WHERE resolved_at IS NULL AND acknowledged_at IS NOT NULL),
               (SELECT count(*) FROM alerts WHERE resolved_at IS NOT NULL),
               (SELECT count(*) FROM (SELECT fingerprint FROM alerts GROUP BY 1 HAVING count(*) > 1) d),
               (SELECT count(DISTINCT execution_mode) FROM trades)""")
    platforms, sports, min_versions, partial_exits, walked, severities, suppressed, open_, acked, resolved, dup_groups, modes = counts
    assert platforms == 2
    assert sports >= 3  # nfl, nba, politics
    assert min_versions >= 3
    assert partial_exits > 0 and walked > 0
    assert severities == 4
    assert min(suppressed, open_, acked, resolved, dup_groups) > 0
    assert modes == 2


def test_model_versions_really_differ_in_calibration(demo_url):
    """Brier score of each elo_nfl version's edges on settled markets: v2.0 beats v1.0."""
    brier = dict(_one(demo_url, """
        SELECT array_agg(ARRAY[pm.model_version, b::text]) FROM (
            SELECT e.model_id, avg(power(e.true_win_probability - m.settlement_value, 2)) AS b
            FROM edges e JOIN markets m ON m.market_id = e.market_id AND m.row_current_ind AND m.status = 'settled'
            GROUP BY e.model_id) x JOIN probability_models pm USING (model_id)
        WHERE pm.model_name = 'elo_nfl'""")[0])
    assert float(brier["v2.0"]) < float(brier["v1.0"])


def _load_tiny(databases, label: str, seed: int, checked: bool = False) -> str:
    url = databases.create(label)
    loader.load(url, scale=0.02, seed=seed, as_of=datetime(2026, 6, 1, tzinfo=timezone.utc), checked=checked,
                progress=lambda _: None)
    return url


SUMMARIES = ("position_facts", "market_closes", "edge_decay_facts", "calibration_points", "exit_orders",
             "exit_facts", "exit_position_facts")
# when each row was computed differs between the two loads; everything else must not
SUMMARY_FINGERPRINT = ("SELECT count(*), md5(coalesce(string_agg((to_jsonb(t) - 'updated_at')::text, '|' "
                       "ORDER BY (to_jsonb(t) - 'updated_at')::text), '')) FROM {table} t")


def test_a_bulk_load_fills_the_summaries_its_triggers_would_have_kept(databases):
    """A bulk load turns the summaries' triggers off and fills the summaries once at the end
    (demo/loader.py); a load with every trigger on keeps them row by row. Same rows either way,
    and the triggers are on again afterwards."""
    bulk, checked = _load_tiny(databases, "fill_bulk", 7), _load_tiny(databases, "fill_checked", 7, checked=True)
    for table in SUMMARIES:
        query = SUMMARY_FINGERPRINT.format(table=table)
        assert _one(bulk, query) == _one(checked, query), table
    assert _one(bulk, "SELECT count(*) FROM position_facts")[0] > 0
    assert _one(bulk, "SELECT count(*) FROM pg_trigger WHERE tgenabled = 'A'") == \
        _one(checked, "SELECT count(*) FROM pg_trigger WHERE tgenabled = 'A'") and \
        _one(bulk, "SELECT count(*) FROM pg_trigger WHERE tgenabled = 'D'") == (0,)


def test_the_same_seed_gives_the_same_data_and_another_seed_does_not(databases):
    first, second, other = (_load_tiny(databases, "det_a", 7), _load_tiny(databases, "det_b", 7),
                            _load_tiny(databases, "det_c", 8))
    for table in sorted(SEED_TABLES):
        query = TABLE_FINGERPRINT.format(table=table)
        assert _one(first, query) == _one(second, query), table
    assert _one(first, TABLE_FINGERPRINT.format(table="markets")) != _one(other, TABLE_FINGERPRINT.format(table="markets"))


def test_loading_into_a_database_with_data_leaves_it_alone(demo_url):
    before = _one(demo_url, "SELECT count(*) FROM trades")
    assert loader.load_if_empty(demo_url, progress=lambda _: None) is False
    assert _one(demo_url, "SELECT count(*) FROM trades") == before


def test_scale_outside_the_supported_range_is_refused(demo_url):
    with pytest.raises(ValueError):
        loader.load(demo_url, scale=0)
