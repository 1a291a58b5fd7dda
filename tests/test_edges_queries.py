"""Current edges' queries on a hand-made database with known answers: only open markets, the
threshold and every filter, the EV buckets and per-version counts, and the decay of traded edges
(the last edge before the close, not one computed after it)."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from analytics import edges as edge_stats
from queries import edges
from queries.edges import EdgeFilters

FIXTURE = """
INSERT INTO platforms (platform_id, platform_type, display_name) VALUES
    ('kalshi', 'trading', 'Kalshi'), ('polymarket', 'trading', 'Polymarket');
INSERT INTO events (event_id, platform_id, external_id, category, subcategory, title, start_time, end_time, status) VALUES
    ('NFL1', 'kalshi', 'nfl1', 'sports', 'nfl', 'BUF at KC', '2026-03-01 16:30', '2026-03-01 20:00', 'final'),
    ('NBA1', 'kalshi', 'nba1', 'sports', 'nba', 'BOS at NYK', '2030-04-01 19:00', '2030-04-01 21:30', 'scheduled'),
    ('POL1', 'polymarket', 'pol1', 'politics', 'presidential', 'PA Senate', '2030-11-03 12:00', '2030-11-13 12:00', 'scheduled');
INSERT INTO markets (market_id, platform_id, event_id, external_id, ticker, title, yes_price, no_price, status,
                     settlement_value, created_at, row_current_ind, row_end_ts) VALUES
    ('MO1', 'kalshi', 'NBA1', 'mo1', 'NBA-OPEN-1', 'Will NYK beat BOS?', 0.5000, 0.5100, 'open', NULL,
     '2026-03-01 00:00', TRUE, NULL),
    ('MO2', 'polymarket', 'POL1', 'mo2', 'POL-OPEN-2', 'PA Senate: yes?', 0.4000, 0.6100, 'open', NULL,
     '2026-03-01 00:00', TRUE, NULL),
    ('MS', 'kalshi', 'NFL1', 'ms', 'NFL-SETTLED', 'Will KC beat BUF?', 0.5500, 0.4600, 'open', NULL,
     '2026-02-26 00:00', FALSE, '2026-03-01 20:05'),
    ('MS', 'kalshi', 'NFL1', 'ms', 'NFL-SETTLED', 'Will KC beat BUF?', 1.0000, 0.0000, 'settled', 1.0000,
     '2026-03-01 20:05', TRUE, NULL);
INSERT INTO strategies (strategy_id, strategy_name, strategy_version, strategy_type, config, status) VALUES
    (1, 'underdog_fade', 'v1.0', 'entry', '{}', 'active'), (2, 'underdog_fade', 'v2.0', 'entry', '{}', 'testing'),
    (3, 'poll_drift', 'v1.0', 'entry', '{}', 'active'), (4, 'halftime_entry', 'v1.0', 'entry', '{}', 'active');
INSERT INTO probability_models (model_id, model_name, model_version, model_type, config, status) VALUES
    (1, 'regression_nba', 'v1.1', 'regression', '{}', 'active'), (2, 'regression_nba', 'v2.0', 'regression', '{}', 'validating'),
    (3, 'ensemble_politics', 'v1.0', 'ensemble', '{}', 'active'), (4, 'elo_nfl', 'v1.0', 'elo', '{}', 'active');
INSERT INTO edges (edge_id, market_id, strategy_id, model_id, expected_value, true_win_probability,
                   market_implied_probability, market_price, confidence_level, recommended_action, created_at,
                   row_current_ind, row_end_ts) VALUES
    -- open markets: the current rows count, the history row (EV 0.3000) does not
    (1, 'MO1', 1, 1, 0.1234, 0.6234, 0.4950, 0.5000, 'high', 'auto_execute', '2026-03-02 10:00', TRUE, NULL),
    (2, 'MO1', 2, 2, 0.0450, 0.5450, 0.4950, 0.5000, 'medium', 'alert', '2026-03-02 10:01', TRUE, NULL),
    (3, 'MO1', 2, 1, 0.0390, 0.5390, 0.4950, 0.5000, 'low', 'ignore', '2026-03-02 10:02', TRUE, NULL),
    (4, 'MO2', 3, 3, 0.3000, 0.7000, 0.3960, 0.4000, 'high', 'auto_execute', '2026-03-02 09:00', FALSE, '2026-03-02 11:00'),
    (5, 'MO2', 3, 3, 0.0600, 0.4600, 0.3960, 0.4000, 'medium', 'auto_execute', '2026-03-02 11:00', TRUE, NULL),
    -- the settled market: its current edge is history, never listed
    (10, 'MS', 4, 4, 0.1000, 0.6500, 0.5450, 0.5500, 'high', 'auto_execute', '2026-03-01 12:00', FALSE, '2026-03-01 19:00'),
    (11, 'MS', 4, 4, 0.0400, 0.5900, 0.5450, 0.5500, 'medium', 'auto_execute', '2026-03-01 19:00', FALSE, '2026-03-01 19:59'),
    (12, 'MS', 4, 4, 0.0200, 0.5700, 0.5450, 0.5500, 'low', 'ignore', '2026-03-01 19:59', FALSE, '2026-03-01 20:01'),
    -- computed after the close (20:00): not the edge "at the close"
    (13, 'MS', 4, 4, -0.0100, 0.5400, 0.5450, 0.5500, 'low', 'ignore', '2026-03-01 20:01', TRUE, NULL),
    (20, 'MS', 1, 1, 0.0800, 0.6300, 0.5450, 0.5500, 'high', 'auto_execute', '2026-02-27 20:00', FALSE, '2026-03-01 18:00'),
    (21, 'MS', 1, 1, 0.0500, 0.6000, 0.5450, 0.5500, 'medium', 'auto_execute', '2026-03-01 18:00', TRUE, NULL);
INSERT INTO positions (position_id, market_id, platform_id, side, entry_price, quantity, status, created_at) VALUES
    (1, 'MS', 'kalshi', 'yes', 0.5500, 10, 'settled', '2026-03-01 12:00'),
    (2, 'MS', 'kalshi', 'yes', 0.5500, 10, 'settled', '2026-03-01 19:00'),
    (3, 'MS', 'kalshi', 'yes', 0.5500, 10, 'settled', '2026-02-27 20:00'),
    (4, 'MO1', 'kalshi', 'yes', 0.5000, 10, 'open', '2026-03-02 10:00');
INSERT INTO trades (trade_id, market_id, platform_id, position_id, edge_id, strategy_id, model_id, side, price, quantity,
                    edge_at_execution, created_at) VALUES
    -- entries: 8 h, 1 h and 48 h before the close; one on a market still open (no decay yet)
    (1, 'MS', 'kalshi', 1, 10, 4, 4, 'buy', 0.5500, 10, 0.1000, '2026-03-01 12:00:00'),
    (2, 'MS', 'kalshi', 2, 11, 4, 4, 'buy', 0.5500, 10, 0.0400, '2026-03-01 19:00:02'),
    (3, 'MS', 'kalshi', 3, 20, 1, 1, 'buy', 0.5500, 10, 0.0800, '2026-02-27 20:00:05'),
    (4, 'MO1', 'kalshi', 4, 1, 1, 1, 'buy', 0.5000, 10, 0.1234, '2026-03-02 10:00:02'),
    -- an exit: no edge, not an entry
    (5, 'MS', 'kalshi', 1, NULL, 4, 4, 'sell', 0.7000, 10, NULL, '2026-03-01 19:30:00');
"""


@pytest.fixture(scope="module")
def url(databases):
    return databases.create("edges_queries", rows=FIXTURE)


@pytest.fixture
def env(url, point_app_at):
    return point_app_at(url)


def test_current_edges_are_open_markets_at_or_above_the_threshold_best_first(env):
    rows = edges.current(EdgeFilters())
    assert list(rows.edge_id) == [1, 5, 2]
    assert list(rows.expected_value) == [Decimal("0.1234"), Decimal("0.0600"), Decimal("0.0450")]
    first = rows.iloc[0]
    assert (first.market_ticker, first.sport, first.platform_id) == ("NBA-OPEN-1", "nba", "kalshi")
    assert (first.strategy_name, first.strategy_version, first.model_name, first.model_version) == (
        "underdog_fade", "v1.0", "regression_nba", "v1.1")
    assert (first.true_win_probability, first.market_price) == (Decimal("0.6234"), Decimal("0.5000"))
    assert (first.confidence_level, first.recommended_action) == ("high", "auto_execute")
    assert "MS" not in set(rows.market_id)  # settled: its current edge of 0.25... is history


@pytest.mark.parametrize("filters, expected", [
    (EdgeFilters(min_ev=Decimal("0.0390")), [1, 5, 2, 3]),  # inclusive
    (EdgeFilters(min_ev=Decimal("0.2")), []),
    (EdgeFilters(confidence=("high",)), [1]),
    (EdgeFilters(confidence=("medium", "low"), min_ev=Decimal("-1")), [5, 2, 3]),
    (EdgeFilters(actions=("alert",)), [2]),
    (EdgeFilters(sports=("presidential",)), [5]),
    (EdgeFilters(platforms=("kalshi",)), [1, 2]),
    (EdgeFilters(strategy_name="underdog_fade"), [1, 2]),
    (EdgeFilters(model_name="regression_nba", min_ev=Decimal("0")), [1, 2, 3]),
    (EdgeFilters(strategy_name="halftime_entry", min_ev=Decimal("-1")), []),  # only on the settled market
])
def test_current_edge_filters(env, filters, expected):
    assert list(edges.current(filters).edge_id) == expected


def test_the_row_limit_keeps_the_best(env):
    assert list(edges.current(EdgeFilters(), row_limit=2).edge_id) == [1, 5]


def test_summary_buckets_every_open_edge_and_counts_versions_above_the_threshold(env):
    summary = edges.summary(EdgeFilters())
    distribution = edge_stats.ev_distribution(summary)
    assert list(zip(distribution.ev_bucket, distribution.edges, distribution.threshold)) == [
        (0.03, 1, edge_stats.BELOW), (0.04, 1, edge_stats.ABOVE), (0.06, 1, edge_stats.ABOVE),
        (0.12, 1, edge_stats.ABOVE)]
    versions = edge_stats.by_version(summary)
    assert sorted(zip(versions.strategy, versions.model, versions.edges)) == [
        ("poll_drift v1.0", "ensemble_politics v1.0", 1),
        ("underdog_fade v1.0", "regression_nba v1.1", 1),
        ("underdog_fade v2.0", "regression_nba v2.0", 1),
    ]  # underdog_fade v2.0 x regression_nba v1.1 has only an edge under the threshold
    total = summary[summary.part == "total"].iloc[0]
    assert (total.edges, total.markets, total.max_ev) == (3, 2, Decimal("0.1234"))
    assert str(total.newest_quote_at) == "2026-03-02 11:00:00"


def test_summary_with_nothing_above_the_threshold_still_has_a_total(env):
    summary = edges.summary(EdgeFilters(min_ev=Decimal("0.5")))
    total = summary[summary.part == "total"].iloc[0]
    assert total.edges == 0 and total.markets == 0
    assert edge_stats.by_version(summary).empty
    assert set(edge_stats.ev_distribution(summary).threshold) == {edge_stats.BELOW}


def test_decay_pairs_each_entry_edge_with_the_last_edge_before_the_close(env):
    decay = edges.decay(None)
    got = [(int(r.bucket), r.bucket_label, int(r.traded_edges), r.mean_entry_edge, r.mean_close_edge)
           for r in decay.itertuples()]
    assert got == [
        (0, "under 1 h", 1, Decimal("0.0400"), Decimal("0.0200")),   # edge 13 came after the close
        (3, "6-12 h", 1, Decimal("0.1000"), Decimal("0.0200")),
        (5, "1-3 days", 1, Decimal("0.0800"), Decimal("0.0500")),    # the current row, before the close
    ]
    assert list(decay.share_still_positive) == [1, 1, 1]
    assert edge_stats.retained_share(decay) == pytest.approx(0.09 / 0.22)


def test_decay_filters_by_strategy_and_model(env):
    assert list(edges.decay(None, "halftime_entry").bucket) == [0, 3]
    assert list(edges.decay(None, model_name="regression_nba").bucket) == [5]
    assert edges.decay(None, "poll_drift").empty
    assert list(edges.decay(None, sports=("nfl",), platforms=("kalshi",)).bucket) == [0, 3, 5]
    assert edges.decay(None, sports=("nba",)).empty  # the NBA market is still open


def test_decay_window_counts_entries_made_since_its_start(env):
    # entries at 2026-02-27 20:00:05, 2026-03-01 12:00 and 19:00:02
    assert list(edges.decay(datetime(2026, 3, 1)).bucket) == [0, 3]
    assert list(edges.decay(datetime(2026, 3, 1, 12)).bucket) == [0, 3]  # inclusive
    assert list(edges.decay(datetime(2026, 3, 1, 12, 0, 1)).bucket) == [0]
    assert edges.decay(datetime(2026, 3, 2)).empty


def test_filter_options_name_each_sport_once(env):
    options = edges.filter_options()
    assert sorted(options[options.kind == "sport"].name) == ["nba", "nfl", "presidential"]
    assert list(options[options.kind == "model"].name).count("regression_nba") == 2
