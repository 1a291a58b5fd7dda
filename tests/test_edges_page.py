"""The Current edges page under AppTest against the demo database: the numbers are the database's,
filters come from and go to the URL, and bad links get a sentence, not a traceback."""
from __future__ import annotations

import json
from datetime import datetime, time, timedelta, timezone
from decimal import Decimal

import pytest

from tests.apptest import open_page
from tests.test_trades_page import params, rows

OPEN_EDGES = """
SELECT count(*), count(DISTINCT e.market_id), max(e.expected_value)
FROM current_edges e JOIN current_markets m USING (market_id)
WHERE m.status = 'open' AND e.expected_value >= %(min_ev)s
  AND (%(confidence)s::text IS NULL OR e.confidence_level = %(confidence)s)
"""


def answer(url: str, sql: str, **params):
    return rows(url, sql, params)[0]


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_the_default_view_shows_open_markets_edges_above_0_04(app_env):
    at = open_page("edges")
    assert not at.exception and not at.warning
    edges, markets, best = answer(app_env, OPEN_EDGES, min_ev=Decimal("0.04"), confidence=None)
    assert edges > 0  # the demo data has open markets with edges
    shown = metrics(at)
    assert shown["Edges at or above 0.0400"] == str(edges)
    assert shown["Open markets with such an edge"] == str(markets)
    assert shown["Best edge"] == f"{best:.4f}"
    table = at.dataframe[0].value
    assert len(table) == edges
    assert (table.expected_value >= Decimal("0.04")).all()
    assert list(table.expected_value) == sorted(table.expected_value, reverse=True)
    assert len(at.get("plotly_chart")) == 3


TRADED_ON_CLOSED_MARKETS = """
SELECT count(*) FROM trades t JOIN current_markets m USING (market_id)
WHERE t.side = 'buy' AND t.edge_id IS NOT NULL AND m.status <> 'open' AND t.created_at >= %(since)s
"""


def decay_table(at):
    return next(d.value for d in at.dataframe if "traded_edges" in d.value.columns)


def test_the_decay_chart_compares_entry_and_close_edges(app_env):
    at = open_page("edges", decay_window="all")
    assert not at.exception and not at.warning
    assert at.segmented_control(key="edges_decay_window").value == "all"
    decay = json.loads(at.get("plotly_chart")[2].proto.spec)
    assert sorted(trace["name"] for trace in decay["data"]) == ["at entry", "at the market's close"]
    assert decay_table(at).traded_edges.sum() == answer(app_env, TRADED_ON_CLOSED_MARKETS, since=datetime(1970, 1, 1))[0]


def test_the_decay_window_counts_only_recent_entries(app_env):
    at = open_page("edges", decay_window="all")
    at.segmented_control(key="edges_decay_window").set_value("30d").run()
    assert params(at) == {"decay_window": "30d"}
    since = datetime.combine(datetime.now(timezone.utc).date() - timedelta(days=30), time.min)
    expected = answer(app_env, TRADED_ON_CLOSED_MARKETS, since=since)[0]
    tables = [d.value for d in at.dataframe if "traded_edges" in d.value.columns]
    assert (int(tables[0].traded_edges.sum()) if tables else 0) == expected
    if expected == 0:
        assert any("No edge traded in the last 30 days" in i.value for i in at.info)


def test_a_link_reproduces_the_filters(app_env):
    at = open_page("edges", min_ev="0.08", confidence="high", platform="kalshi")
    assert not at.exception and not at.warning
    assert at.number_input(key="edges_min_ev").value == pytest.approx(0.08)
    assert at.multiselect(key="edges_confidence").value == ["high"]
    assert at.multiselect(key="edges_platform").value == ["kalshi"]
    table = at.dataframe[0].value
    assert set(table.confidence_level) <= {"high"} and set(table.platform_id) <= {"kalshi"}
    assert (table.expected_value >= Decimal("0.08")).all()
    assert params(at) == {"min_ev": "0.0800", "confidence": "high", "platform": "kalshi"}


def test_changing_filters_puts_them_in_the_url(app_env):
    at = open_page("edges")
    at.number_input(key="edges_min_ev").set_value(0.1).run()
    at.multiselect(key="edges_confidence").set_value(["high", "medium"]).run()
    at.selectbox(key="edges_strategy").set_value("halftime_entry").run()
    assert params(at) == {"min_ev": "0.1000", "confidence": "high,medium", "strategy": "halftime_entry"}
    edges = answer(app_env, OPEN_EDGES.replace("AND (%(confidence)s", "AND e.strategy_id IN (SELECT strategy_id FROM "
                                               "strategies WHERE strategy_name = 'halftime_entry') AND (%(confidence)s"),
                   min_ev=Decimal("0.1"), confidence=None)[0]
    assert metrics(at)["Edges at or above 0.1000"] == str(edges)


@pytest.mark.parametrize("params, sentence", [
    ({"min_ev": "abc"}, "The link's min_ev 'abc' is not a number between -1 and 1 and was ignored."),
    ({"min_ev": "nan"}, "The link's min_ev 'nan' is not a number between -1 and 1 and was ignored."),
    ({"min_ev": "7"}, "The link's min_ev '7' is not a number between -1 and 1 and was ignored."),
    ({"confidence": "bogus"}, "The link's confidence 'bogus' is unknown and was ignored."),
    ({"strategy": "<script>alert(1)</script>"}, "The link's strategy '<script>alert(1)</script>' is unknown and was ignored."),
    ({"platform": "x" * 500}, "The link's 'platform' is too long and was ignored."),
    ({"decay_window": "5y"}, "The link's decay_window '5y' is unknown and was ignored."),
])
def test_a_bad_link_gets_one_sentence_and_the_defaults(app_env, params, sentence):
    at = open_page("edges", **params)
    assert not at.exception and not at.error
    assert [w.value for w in at.warning] == [sentence]
    assert at.number_input(key="edges_min_ev").value == pytest.approx(0.04)
    assert "Edges at or above 0.0400" in metrics(at)


def test_nothing_above_the_threshold_says_so(app_env):
    at = open_page("edges", min_ev="1")
    assert not at.exception
    assert metrics(at)["Edges at or above 1.0000"] == "0"
    assert any("No current edge on an open market reaches 1.0000" in i.value for i in at.info)
    assert any("No strategy version has an edge at or above 1.0000" in i.value for i in at.info)
