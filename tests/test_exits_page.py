"""The Position exits page under AppTest: on the hand-made database (known answers) and on the demo."""
from __future__ import annotations

import json

from queries import schema
from tests.apptest import open_page, plotted
from tests.test_exits_queries import exits_db, exits_url  # noqa: F401  (fixtures)


def _metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _texts(elements) -> list[str]:
    return [e.value for e in elements]


def _timeline(at) -> dict:
    return next(json.loads(c.proto.spec) for c in at.get("plotly_chart") if "Trailing stop" in c.proto.spec)


def test_the_page_shows_the_known_answers(exits_db):
    at = open_page("exits")
    assert not at.exception
    metrics = _metrics(at)
    assert metrics["Exits"] == "7"
    assert metrics["Exit P&L, before fees"] == "$13.60"
    at = open_page("exits", tab="Price walking")
    metrics = _metrics(at)
    assert metrics["Cost of walking"] == "$2.60"
    assert metrics["Never filled"] == "1"
    never = next(d.value for d in at.dataframe if "lowest_limit_price" in d.value.columns)
    assert never.position.tolist() == ["exits?tab=One%20position&position=4"]
    metrics = _metrics(open_page("exits", tab="Exit regret"))
    assert metrics["Saved by exiting"] == "-$62.90"
    assert metrics["Exits that saved / cost money"] == "1 / 5"
    assert "4 positions have data problems." in _texts(open_page("exits", tab="Reconciliation").error)
    at = open_page("exits", tab="Open positions")
    metrics = _metrics(at)
    assert (metrics["Open positions"], metrics["Stale (> 30 s)"], metrics["Behind the newest update by > 30 s"]) == (
        "2", "2", "1")
    assert any("The monitor's newest update is" in w for w in _texts(at.warning))   # long stopped
    assert "Enter a position id" in _texts(open_page("exits", tab="One position").info)[-1]


def test_only_the_open_tab_is_drawn(exits_db):
    at = open_page("exits")
    assert "Exits" in _metrics(at) and "Cost of walking" not in _metrics(at)
    assert [c.key for c in at.get("plotly_chart")] == ["exits_holding_chart"]   # not the regret chart
    assert len(at.tabs) == 9                                                        # the tab bar is whole
    at = open_page("exits", tab="No such tab")   # ignored, like any unknown value: Breakdown
    assert not at.exception and "Exits" in _metrics(at)


def test_a_position_in_the_url_opens_its_timeline(exits_db):
    at = open_page("exits", position="1")
    assert not at.exception
    assert "Position 1" in _texts(at.subheader)
    assert _metrics(at)["Exits (contracts)"] == "2 (100)"
    assert _metrics(at)["Realized P&L (fees included)"] == "$17.50"
    timeline = _timeline(at)
    traces = {t["name"]: t for t in timeline["data"]}
    assert set(traces) == {"Market price (yes)", "Trailing stop", "Entry", "Exits", "Settlement (held side)"}
    assert plotted(traces["Trailing stop"]["y"]) == [None, 0.55, 0.56]
    assert plotted(traces["Exits"]["y"]) == [0.6, 0.55]
    assert plotted(traces["Settlement (held side)"]["y"]) == [1.0]
    frames = [d.value for d in at.dataframe]
    assert any("saved_by_exiting" in f.columns and len(f) == 2 and "hold_pnl" in f.columns for f in frames)
    attempts = next(f for f in frames if "attempt_number" in f.columns)
    assert attempts.attempt_number.tolist() == [1, 2, 3, 1, 2]


def test_typing_a_position_id_opens_it_and_puts_it_in_the_url(exits_db):
    at = open_page("exits", tab="One position")
    at.number_input(key="exits_position").set_value(2).run()
    assert not at.exception
    assert at.query_params["position"] == "2"
    timeline = _timeline(at)
    names = [t["name"] for t in timeline["data"]]
    assert "Market price (no)" in names                  # side-aware
    price = next(t for t in timeline["data"] if t["name"] == "Market price (no)")
    assert plotted(price["y"]) == [0.7, 0.8]                      # M2's no_price before it settled


def test_unknown_and_exitless_positions_get_one_sentence(exits_db):
    at = open_page("exits", position="999")
    assert not at.exception
    assert "There is no position 999 in the database." in _texts(at.warning)
    at = open_page("exits", position="4")
    assert not at.exception
    assert "Position 4 has no exits yet: it is open and holds 10 contracts." in _texts(at.info)


def test_a_tampered_link_is_ignored_with_one_sentence_each(exits_db):
    at = open_page("exits", position="abc", condition="<b>bogus</b>", strategy="77", since="2026-13-01",
                   priority="URGENT", platform="x" * 300)
    assert not at.exception
    warnings = _texts(at.warning)
    assert "The link's position 'abc' is not a valid number and was ignored." in warnings
    assert "The link's condition '<b>bogus</b>' is unknown and was ignored." in warnings
    assert "The link's strategy '77' is not a known strategy version and was ignored." in warnings
    assert "The link's since '2026-13-01' is not a date (YYYY-MM-DD) and was ignored." in warnings
    assert "The link's priority 'URGENT' is unknown and was ignored." in warnings
    assert "The link's 'platform' is too long and was ignored." in warnings
    assert _metrics(at)["Exits"] == "7"                  # every filter fell back to "All"


def test_filters_drive_the_numbers_and_the_url(exits_db):
    at = open_page("exits")
    at.selectbox(key="exits_condition").set_value("stop_loss").run()
    assert not at.exception
    assert _metrics(at)["Exits"] == "2"
    assert _metrics(at)["Exit P&L, before fees"] == "-$10.00"
    assert at.query_params["condition"] == "stop_loss"
    at.selectbox(key="exits_priority").set_value("LOW").run()
    assert "No exit matches these filters." in _texts(at.info)
    at = open_page("exits", tab="Price walking", condition="stop_loss", priority="LOW")
    assert "No exit order matches these filters." in _texts(at.info)


def test_filters_come_from_the_link(exits_db):
    at = open_page("exits", platform="polymarket", strategy="2")
    assert not at.exception
    assert _metrics(at)["Exits"] == "1"                  # P2's stop loss
    assert at.selectbox(key="exits_strategy").value == 2
    at = open_page("exits", tab="Open positions", platform="polymarket", strategy="2")
    assert "No open position matches these filters." in _texts(at.info)


def test_a_reversed_date_range_says_so(exits_db):
    at = open_page("exits", since="2026-01-05", until="2026-01-01")
    assert not at.exception
    assert "The start date is after the end date, so no exit falls between them." in _texts(at.warning)


def test_the_page_on_the_demo_data(app_env):
    conn = schema.connect(app_env)
    with conn, conn.cursor() as cur:
        cur.execute("SELECT count(*), (SELECT min(position_id) FROM position_exits) FROM position_exits")
        exit_count, position_id = cur.fetchone()
    conn.close()
    at = open_page("exits")
    assert not at.exception and not at.error
    assert _metrics(at)["Exits"] == str(exit_count)
    at = open_page("exits", tab="Reconciliation")
    assert "No data problems: every position's exits and settlement account for it." in _texts(at.success)
    at = open_page("exits", position=str(position_id))
    assert not at.exception
    assert f"Position {position_id}" in _texts(at.subheader)
