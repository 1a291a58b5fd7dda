"""Trade attribution's queries on a hand-made database with known answers: the attribution joins,
keyset paging (every trade exactly once across pages, ties on created_at included, in both
directions), the capped count, and the CSV export of the whole filtered set."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal

import pandas as pd
import pytest

from queries import schema, trades
from queries.trades import TradeFilters

FIXTURE = """
INSERT INTO platforms (platform_id, platform_type, display_name) VALUES
    ('kalshi', 'trading', 'Kalshi'), ('polymarket', 'trading', 'Polymarket'), ('espn', 'data_source', 'ESPN');
INSERT INTO events (event_id, platform_id, external_id, category, subcategory, title, start_time, end_time, status) VALUES
    ('E1', 'kalshi', 'e1', 'sports', 'nfl', 'BUF at KC', '2026-03-01 08:00', '2026-03-07 20:00', 'final'),
    ('E2', 'polymarket', 'e2', 'politics', 'presidential', 'PA Senate', '2026-03-01 12:00', '2026-03-10 12:00', 'final');
-- Two SCD rows for M1 and M2: the view must still give one row per trade.
INSERT INTO markets (market_id, platform_id, event_id, external_id, ticker, title, yes_price, no_price, status,
                     settlement_value, created_at, row_current_ind, row_end_ts) VALUES
    ('M1', 'kalshi', 'E1', 'm1', 'KXNFL-KCBUF-WIN', 'Will KC beat BUF?', 0.5500, 0.4600, 'open', NULL,
     '2016-01-01 00:00', FALSE, '2026-03-01 09:00'),
    ('M1', 'kalshi', 'E1', 'm1', 'KXNFL-KCBUF-WIN', 'Will KC beat BUF?', 0.6000, 0.4100, 'open', NULL,
     '2026-03-01 09:00', TRUE, NULL),
    ('M2', 'polymarket', 'E2', 'm2', 'PMPOL-SENPA', 'PA Senate: yes?', 0.4000, 0.6100, 'open', NULL,
     '2026-03-01 09:00', FALSE, '2026-03-10 12:05'),
    ('M2', 'polymarket', 'E2', 'm2', 'PMPOL-SENPA', 'PA Senate: yes?', 1.0000, 0.0000, 'settled', 1.0000,
     '2026-03-10 12:05', TRUE, NULL),
    ('M3', 'kalshi', 'E1', 'm3', '=HYPERLINK("http://evil.example")', 'Formula ticker', 0.3000, 0.7100, 'open', NULL,
     '2026-03-01 09:00', TRUE, NULL);
INSERT INTO strategies (strategy_id, strategy_name, strategy_version, strategy_type, sport, config, status) VALUES
    (1, 'halftime_entry', 'v1.0', 'entry', 'nfl', '{"min_edge": 0.05, "min_lead": 7}', 'active'),
    (2, 'halftime_entry', 'v1.1', 'entry', 'nfl', '{"min_edge": 0.07, "min_lead": 10}', 'testing'),
    (3, 'poll_drift', 'v1.0', 'entry', 'politics', '{"poll_window_days": 14}', 'active');
INSERT INTO probability_models (model_id, model_name, model_version, model_type, sport, config, status) VALUES
    (1, 'elo_nfl', 'v1.0', 'elo', 'nfl', '{"k_factor": 28}', 'deprecated'),
    (2, 'elo_nfl', 'v1.1', 'elo', 'nfl', '{"k_factor": 30}', 'active'),
    (3, 'ensemble_politics', 'v1.0', 'ensemble', NULL, '{"members": ["polls"]}', 'active');
INSERT INTO edges (edge_id, market_id, strategy_id, model_id, expected_value, true_win_probability,
                   market_implied_probability, market_price, confidence_level, recommended_action, created_at) VALUES
    (101, 'M1', 1, 1, 0.0800, 0.6800, 0.5940, 0.6000, 'high', 'auto_execute', '2026-03-01 09:59'),
    (102, 'M1', 2, 2, 0.0900, 0.5000, 0.4100, 0.4100, 'high', 'auto_execute', '2026-03-01 09:59'),
    (103, 'M2', 3, 3, 0.0500, 0.4500, 0.3960, 0.4000, 'medium', 'auto_execute', '2026-03-02 08:59'),
    (104, 'M3', 1, 1, 0.1200, 0.4200, 0.2970, 0.3000, 'high', 'auto_execute', '2026-03-05 11:59');
INSERT INTO positions (position_id, market_id, platform_id, side, entry_price, quantity, status, realized_pnl,
                       execution_mode, created_at, row_current_ind, row_end_ts) VALUES
    (1, 'M1', 'kalshi', 'yes', 0.6000, 100, 'open', NULL, 'live', '2026-03-01 10:00', FALSE, '2026-03-01 11:00'),
    (1, 'M1', 'kalshi', 'yes', 0.6000, 0, 'closed', 12.5000, 'live', '2026-03-01 11:00', TRUE, NULL),
    (2, 'M1', 'kalshi', 'no', 0.4100, 50, 'open', NULL, 'paper', '2026-03-01 10:00', TRUE, NULL),
    (3, 'M2', 'polymarket', 'yes', 0.4000, 0, 'settled', 30.0000, 'live', '2026-03-02 09:00', TRUE, NULL),
    (4, 'M3', 'kalshi', 'yes', 0.3000, 20, 'open', NULL, 'live', '2026-03-05 12:00', TRUE, NULL),
    (5, 'M1', 'kalshi', 'yes', 0.5500, 0, 'closed', -5.0000, 'live', '2016-03-01 10:00', TRUE, NULL);
INSERT INTO position_exits (exit_id, position_id, exit_condition, exit_priority, quantity_exited, exit_price, created_at) VALUES
    (1, 1, 'partial_exit_target', 'MEDIUM', 50, 0.6900, '2026-03-01 10:00'),
    (2, 1, 'trailing_stop', 'HIGH', 50, 0.6700, '2026-03-01 11:00'),
    (3, 3, 'profit_target', 'MEDIUM', 100, 0.7000, '2026-03-02 09:00');
"""

# trade_id, created_at, side, market, position, edge, strategy, model, platform, mode, price, quantity
# Ids are deliberately out of time order; several trades share a created_at to the microsecond.
TRADES = [
    (7, "2026-03-01 10:00:00", "buy", "M1", 1, 101, 1, 1, "kalshi", "live", "0.6000", 100),
    (3, "2026-03-01 10:00:00", "buy", "M1", 2, 102, 2, 2, "kalshi", "paper", "0.4100", 50),
    (12, "2026-03-01 10:00:00", "sell", "M1", 1, None, 1, 1, "kalshi", "live", "0.6900", 50),
    (4, "2026-03-01 11:00:00", "sell", "M1", 1, None, 1, 1, "kalshi", "live", "0.6700", 50),
    (9, "2026-03-02 09:00:00", "buy", "M2", 3, 103, 3, 3, "polymarket", "live", "0.4000", 100),
    (2, "2026-03-02 09:00:00", "sell", "M2", 3, None, 3, 3, "polymarket", "live", "0.7000", 100),
    (11, "2026-03-05 12:00:00", "buy", "M3", 4, 104, 1, 1, "kalshi", "live", "0.3000", 20),
    (5, "2026-03-06 08:00:00", "sell", "M1", 2, None, 2, 2, "kalshi", "paper", "0.4500", 10),
    (8, "2026-03-06 08:00:00", "sell", "M1", 2, None, 2, 2, "kalshi", "paper", "0.4600", 10),
    (1, "2026-03-06 08:00:00", "sell", "M1", 2, None, 2, 2, "kalshi", "paper", "0.4700", 10),
    (10, "2026-03-06 08:00:00", "sell", "M1", 2, None, 2, 2, "kalshi", "paper", "0.4800", 10),
    (6, "2016-03-01 10:00:00", "buy", "M1", 5, None, 1, 1, "kalshi", "live", "0.5500", 30),
    (13, "2016-03-01 10:00:00", "sell", "M1", 5, None, 1, 1, "kalshi", "live", "0.3900", 30),
]
ALL_DAYS = dict(first_day=date(2010, 1, 1), last_day=date(2030, 12, 31))


@pytest.fixture(scope="module")
def url(databases):
    url = databases.create("trades_queries")
    conn = schema.connect(url)
    with conn, conn.cursor() as cur:
        cur.execute(FIXTURE)
        for (trade_id, created_at, side, market, position, edge, strategy, model, platform, mode, price,
             quantity) in TRADES:
            cur.execute(
                """INSERT INTO trades (trade_id, created_at, side, market_id, position_id, edge_id, strategy_id,
                                       model_id, platform_id, execution_mode, price, quantity, fees,
                                       edge_at_execution, trade_metadata)
                   VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, 0.0100,
                           (SELECT expected_value FROM edges WHERE edge_id = %s), %s)""",
                (trade_id, created_at, side, market, position, edge, strategy, model, platform, mode, price, quantity,
                 edge, '{"reason": "entry"}' if side == "buy" else '{"reason": "exit"}'))
    conn.close()
    return url


@pytest.fixture
def env(url, point_app_at):
    return point_app_at(url)


def expected_ids(keep=lambda t: True) -> list[int]:
    """The known answer: matching trades by (created_at DESC, trade_id DESC), from the list above."""
    return [t[0] for t in sorted((t for t in TRADES if keep(t)), key=lambda t: (t[1], t[0]), reverse=True)]


def walk_pages(filters: TradeFilters, page_size: int) -> list[list[int]]:
    """Follow 'Older' from the first page to the last, as the page does."""
    pages, start = [], None
    while True:
        rows = trades.page(filters, start, page_size)
        assert len(rows) <= page_size + 1
        pages.append(list(rows.trade_id.head(page_size)))
        if len(rows) <= page_size:
            return pages
        start = int(rows.trade_id.iloc[-1])


FILTER_CASES = [
    ({}, lambda t: True),
    ({"strategy_name": "halftime_entry"}, lambda t: t[6] in (1, 2)),
    ({"strategy_name": "halftime_entry", "strategy_version": "v1.1"}, lambda t: t[6] == 2),
    ({"model_name": "elo_nfl", "model_version": "v1.0"}, lambda t: t[7] == 1),
    ({"side": "sell"}, lambda t: t[2] == "sell"),
    ({"platform_id": "polymarket"}, lambda t: t[8] == "polymarket"),
    ({"execution_mode": "paper"}, lambda t: t[9] == "paper"),
    ({"market": "kxnfl"}, lambda t: t[3] == "M1"),  # the start of a ticker, any case
    ({"market": "M2"}, lambda t: t[3] == "M2"),  # a market id
    ({"first_day": date(2026, 3, 1), "last_day": date(2026, 3, 1)}, lambda t: t[1].startswith("2026-03-01")),
]


@pytest.mark.parametrize("page_size", [1, 2, 3, 50])
@pytest.mark.parametrize("overrides, keep", FILTER_CASES)
def test_keyset_pages_return_every_matching_trade_exactly_once_in_order(env, overrides, keep, page_size):
    filters = TradeFilters(**{**ALL_DAYS, **overrides})
    pages = walk_pages(filters, page_size)
    walked = [trade_id for page in pages for trade_id in page]
    assert walked == expected_ids(keep)
    assert all(len(page) == page_size for page in pages[:-1])
    assert int(trades.count(filters).trades) == len(walked)


@pytest.mark.parametrize("page_size", [1, 2, 3])
def test_newer_walks_back_to_the_start_of_each_earlier_page(env, page_size):
    filters = TradeFilters(**ALL_DAYS)
    pages = walk_pages(filters, page_size)
    for earlier, page in zip(pages, pages[1:]):
        previous = trades.previous_start(filters, page[0], page_size)
        # the first page is the one with no start
        assert previous == (None if earlier is pages[0] else earlier[0])


def test_the_view_gives_one_row_per_trade_despite_market_history(env):
    rows = trades.page(TradeFilters(**ALL_DAYS), None, 100)
    assert len(rows) == len(TRADES)
    assert rows.trade_id.is_unique


def test_the_date_range_is_whole_utc_days_both_ends_included(env):
    only_the_6th = TradeFilters(first_day=date(2026, 3, 6), last_day=date(2026, 3, 6))
    assert list(trades.page(only_the_6th, None, 50).trade_id) == [10, 8, 5, 1]
    assert trades.page(TradeFilters(first_day=date(2026, 3, 7), last_day=date(2026, 3, 9)), None, 50).empty


def test_a_ten_year_range_counts_up_to_the_cap_and_pages_as_usual(env):
    filters = TradeFilters(first_day=date(2016, 1, 1), last_day=date(2026, 12, 31))
    assert int(trades.count(filters, cap=5).trades) == 6  # cap + 1: "more than 5"
    assert int(trades.count(filters).trades) == len(TRADES)
    counted = trades.count(filters)
    assert counted.oldest_trade_at == datetime(2016, 3, 1, 10, 0)
    assert counted.newest_trade_at == datetime(2026, 3, 6, 8, 0)


def test_an_unknown_start_gives_an_empty_page(env):
    assert trades.page(TradeFilters(**ALL_DAYS), 999_999, 50).empty


def test_detail_attributes_an_entry_to_its_versions_configs_and_edge(env):
    trade = trades.detail(7)
    assert (trade.strategy_name, trade.strategy_version, trade.strategy_status) == ("halftime_entry", "v1.0", "active")
    assert trade.strategy_config == {"min_edge": 0.05, "min_lead": 7}
    assert (trade.model_name, trade.model_version) == ("elo_nfl", "v1.0")
    assert trade.model_config == {"k_factor": 28}
    assert trade.edge_id == 101 and not trade.edge_from_entry
    assert trade.edge_expected_value == Decimal("0.0800")
    assert trade.edge_market_price == Decimal("0.6000")
    assert trade.market_ticker == "KXNFL-KCBUF-WIN" and trade.market_status == "open"
    assert trade.edge_at_execution == Decimal("0.0800")


def test_detail_of_an_exit_shows_the_edge_of_its_positions_entry(env):
    trade = trades.detail(12)
    assert trade.side == "sell"
    assert trade.edge_id == 101 and trade.edge_from_entry
    # a position whose entry named no edge has none to show
    assert pd.isna(trades.detail(13).edge_id)


def test_detail_of_an_unknown_trade_is_none(env):
    assert trades.detail(424242) is None


def test_position_exits_and_trades_of_a_trade(env):
    held = trades.position(1)
    assert (held.status, held.quantity, held.realized_pnl) == ("closed", 0, Decimal("12.5000"))
    assert held.opened_at == datetime(2026, 3, 1, 10, 0) and held.history_rows == 2
    exits = trades.position_exits(1)
    assert list(exits.exit_condition) == ["partial_exit_target", "trailing_stop"]
    assert list(exits.exit_price) == [Decimal("0.6900"), Decimal("0.6700")]
    position_trades = trades.position_trades(1)
    assert list(position_trades.trade_id) == [7, 12, 4]
    assert list(position_trades.reason) == ["entry", "exit", "exit"]
    assert trades.position(99) is None


def parse_csv(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


@pytest.mark.parametrize("overrides, keep", FILTER_CASES)
def test_csv_export_is_the_whole_filtered_set_read_in_chunks(env, overrides, keep):
    filters = TradeFilters(**{**ALL_DAYS, **overrides})
    exported = parse_csv(trades.csv_export(filters, chunk_rows=2))
    assert [int(r["trade_id"]) for r in exported] == expected_ids(keep)
    # every column of every row, as the page query returns them
    full = trades.page(filters, None, 1000)
    for row, (_, expected) in zip(exported, full.iterrows()):
        assert row["price"] == str(expected.price)
        assert row["created_at"] == expected.created_at.isoformat(sep=" ")
        assert row["strategy_version"] == expected.strategy_version
        assert row["edge_at_execution"] == ("" if expected.edge_at_execution is None else str(expected.edge_at_execution))


def test_csv_export_of_nothing_is_a_header(env):
    data = trades.csv_export(TradeFilters(first_day=date(2020, 1, 1), last_day=date(2020, 1, 2)))
    assert data.decode().splitlines()[0].startswith("trade_id,created_at,side,market_ticker")
    assert len(data.decode().splitlines()) == 1


def test_csv_export_defuses_spreadsheet_formulas_from_database_text(env):
    exported = parse_csv(trades.csv_export(TradeFilters(**ALL_DAYS, market="M3")))
    assert [r["market_ticker"] for r in exported] == ["'=HYPERLINK(\"http://evil.example\")"]
    assert exported[0]["price"] == "0.3000"  # numbers are left alone


def test_filter_options_list_versions_platforms_and_sports(env):
    options = trades.filter_options()
    assert list(options[options.kind == "strategy"].version) == ["v1.0", "v1.1", "v1.0"]
    assert list(options[options.kind == "platform"].name) == ["kalshi", "polymarket"]  # no data sources
    assert sorted(options[options.kind == "sport"].name) == ["nfl", "presidential"]
