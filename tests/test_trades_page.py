"""The Trade attribution page under AppTest against the demo database (as of 2026-11-01 12:00 UTC):
filters from and to the URL, keyset paging both ways, a trade followed to its configs, edge,
position and exits, and a sentence for every bad link."""
from __future__ import annotations

import pytest

from queries import schema
from tests.apptest import open_page

RANGE = {"from": "2026-10-20", "to": "2026-11-01"}
IN_RANGE = "t.created_at >= '2026-10-20' AND t.created_at < '2026-11-02'"


def rows(url: str, sql: str, *params):
    """The database's own answer (params: positional values, or one dict for named ones)."""
    conn = schema.connect(url)
    with conn, conn.cursor() as cur:
        cur.execute(sql, params[0] if len(params) == 1 and isinstance(params[0], dict) else params)
        found = cur.fetchall()
    conn.close()
    return found


def params(at) -> dict[str, str]:
    return {k: (v[0] if isinstance(v, list) else v) for k, v in at.query_params.items()}


def table(at):
    return at.dataframe[0].value


def ordered_ids(url: str, where: str = "true") -> list[int]:
    return [r[0] for r in rows(url, f"SELECT t.trade_id FROM trades t WHERE {IN_RANGE} AND {where} "
                                    "ORDER BY t.created_at DESC, t.trade_id DESC")]


def test_a_link_with_filters_shows_the_matching_trades(app_env):
    at = open_page("trades", **RANGE, strategy="halftime_entry", side="buy")
    assert not at.exception and not at.warning
    expected = ordered_ids(app_env, "t.side = 'buy' AND t.strategy_id IN "
                                    "(SELECT strategy_id FROM strategies WHERE strategy_name = 'halftime_entry')")
    assert expected
    assert list(table(at).trade_id) == expected[:50]
    assert set(table(at).strategy_name) == {"halftime_entry"} and set(table(at).side) == {"buy"}
    assert any(c.value.startswith(f"{len(expected)} trades match.") for c in at.caption)
    assert at.selectbox(key="trades_strategy").value == "halftime_entry"
    assert at.selectbox(key="trades_side").value == "buy"


def test_pages_walk_older_and_newer_by_keyset(app_env):
    expected = ordered_ids(app_env)
    assert len(expected) > 100  # three pages at least
    at = open_page("trades", **RANGE)
    assert list(table(at).trade_id) == expected[:50]
    assert at.button(key="trades_page_newer").disabled and at.button(key="trades_page_newest").disabled
    at.button(key="trades_page_older").click().run()
    assert list(table(at).trade_id) == expected[50:100]
    assert params(at)["start"] == str(expected[50])
    at.button(key="trades_page_older").click().run()
    assert list(table(at).trade_id) == expected[100:150]
    at.button(key="trades_page_newer").click().run()
    assert list(table(at).trade_id) == expected[50:100]
    at.button(key="trades_page_newest").click().run()
    assert list(table(at).trade_id) == expected[:50]
    assert "start" not in params(at)


def test_a_link_to_a_later_page_reproduces_it(app_env):
    expected = ordered_ids(app_env)
    at = open_page("trades", **RANGE, start=str(expected[50]))
    assert list(table(at).trade_id) == expected[50:100]
    assert not at.button(key="trades_page_newer").disabled


def test_the_last_page_has_no_older(app_env):
    expected = ordered_ids(app_env)
    at = open_page("trades", **RANGE, start=str(expected[-3]))
    assert list(table(at).trade_id) == expected[-3:]
    assert at.button(key="trades_page_older").disabled


def test_changing_a_filter_starts_again_at_the_newest_trade(app_env):
    expected = ordered_ids(app_env, "t.side = 'sell'")
    at = open_page("trades", **RANGE, start=str(ordered_ids(app_env)[50]))
    at.selectbox(key="trades_side").set_value("sell").run()
    assert list(table(at).trade_id) == expected[:50]
    assert params(at) == {**RANGE, "side": "sell"}


def test_the_market_filter_takes_the_start_of_a_ticker(app_env):
    at = open_page("trades", **RANGE, market="kxnba")
    tickers = set(table(at).market_ticker)
    assert tickers and all(t.startswith("KXNBA") for t in tickers)


def test_a_trade_opens_its_configs_edge_position_and_exits(app_env):
    # an exit of a position with several exits: the edge shown is its entry's
    trade_id, position_id, strategy_config, model_config, edge_id, ev = rows(app_env, """
        SELECT t.trade_id, t.position_id, s.config, pm.config, b.edge_id, e.expected_value
        FROM trades t
        JOIN strategies s USING (strategy_id) JOIN probability_models pm USING (model_id)
        JOIN trades b ON b.position_id = t.position_id AND b.side = 'buy'
        JOIN edges e ON e.edge_id = b.edge_id
        WHERE t.side = 'sell' AND (SELECT count(*) FROM position_exits x WHERE x.position_id = t.position_id) > 1
        ORDER BY t.trade_id LIMIT 1""")[0]
    exits = rows(app_env, "SELECT exit_id FROM position_exits WHERE position_id = %s ORDER BY created_at, exit_id",
                 position_id)
    position_trades = rows(app_env, "SELECT trade_id FROM trades WHERE position_id = %s ORDER BY created_at, trade_id",
                           position_id)
    at = open_page("trades", **RANGE, trade=str(trade_id))
    assert not at.exception and not at.warning
    assert any(h.value.startswith(f"Trade #{trade_id}: sell") for h in at.subheader)
    configs = [j.value for j in at.json]
    assert [__import__("json").loads(c) for c in configs] == [strategy_config, model_config]
    edge_fields = next(d.value for d in at.dataframe if "Field" in d.value.columns and "Edge id" in set(d.value.Field))
    edge = dict(zip(edge_fields.Field, edge_fields.Value))
    assert edge["Edge id"] == str(edge_id) and edge["Edge (EV per contract)"] == f"{ev:.4f}"
    assert any("this is the edge of its position's entry trade" in c.value for c in at.caption)
    exit_table = next(d.value for d in at.dataframe if "exit_condition" in d.value.columns)
    assert list(exit_table.exit_id) == [e[0] for e in exits]
    trades_table = next(d.value for d in at.dataframe if "reason" in d.value.columns)
    assert list(trades_table.trade_id) == [t[0] for t in position_trades]
    assert params(at)["trade"] == str(trade_id)

    at.button(key="trades_close_detail").click().run()
    assert "trade" not in params(at) and not at.json


@pytest.mark.parametrize("link, sentence", [
    ({"from": "2026-13-45"}, "The link's from '2026-13-45' is not a date (YYYY-MM-DD) and was ignored."),
    ({"trade": "abc"}, "The link's trade 'abc' is not a valid number and was ignored."),
    ({"trade": "-4"}, "The link's trade '-4' is not a valid number and was ignored."),
    ({**RANGE, "trade": "999999999"}, "There is no trade #999999999; it may have been mistyped in the link."),
    ({**RANGE, "start": "999999999"}, "The link's page start, trade #999999999, does not exist; showing the newest trades."),
    ({"strategy_version": "v1.0"}, "The link's strategy_version 'v1.0' is unknown and was ignored."),
    ({"strategy": "halftime_entry", "strategy_version": "v9.9"},
     "The link's strategy_version 'v9.9' is unknown and was ignored."),
    ({"side": "short"}, "The link's side 'short' is unknown and was ignored."),
    ({"from": "1900-01-01", "to": "2026-11-01"},
     "The link's from 1900-01-01 is outside 2000–2099 and was moved inside it."),
    ({"from": "2026-11-01", "to": "2026-10-01"},
     "'From' (2026-11-01) is after 'To' (2026-10-01), so no trade can match; pick a 'From' day on or before the 'To' day."),
])
def test_a_bad_link_gets_one_sentence_and_no_traceback(app_env, link, sentence):
    at = open_page("trades", **link)
    assert not at.exception and not at.error
    assert [w.value for w in at.warning] == [sentence]


def test_a_link_with_only_one_end_of_the_range_gets_a_week(app_env):
    at = open_page("trades", to="2026-11-01")
    assert not at.warning
    assert at.date_input(key="trades_first_day").value.isoformat() == "2026-10-26"
    assert params(at) == {"from": "2026-10-26", "to": "2026-11-01"}
    assert list(table(at).trade_id) == [r[0] for r in rows(app_env, """
        SELECT trade_id FROM trades WHERE created_at >= '2026-10-26' AND created_at < '2026-11-02'
        ORDER BY created_at DESC, trade_id DESC LIMIT 50""")]


def test_a_ten_year_range_answers_with_every_trade(app_env):
    total = rows(app_env, "SELECT count(*) FROM trades")[0][0]
    at = open_page("trades", **{"from": "2016-11-01", "to": "2026-11-01"})
    assert not at.exception and not at.warning
    assert any(c.value.startswith(f"{total} trades match.") for c in at.caption)
    assert len(table(at)) == 50


def test_an_empty_range_says_where_the_trades_are_and_offers_the_newest_week(app_env):
    oldest, newest = rows(app_env, "SELECT min(created_at), max(created_at) FROM trades")[0]
    at = open_page("trades", **{"from": "2020-01-01", "to": "2020-01-07"})
    assert not at.exception and not at.dataframe
    assert [i.value for i in at.info] == [
        f"No trade matches these filters between 2020-01-01 and 2020-01-07. Trades in the database run from "
        f"{oldest:%Y-%m-%d} to {newest:%Y-%m-%d}."]
    at.button(key="trades_jump_newest").click().run()
    assert at.date_input(key="trades_last_day").value == newest.date()
    assert params(at)["to"] == newest.date().isoformat()
    assert len(table(at)) > 0 and max(table(at).created_at).date() == newest.date()
