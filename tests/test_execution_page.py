"""The Position exits page's Execution quality and How far positions ran tabs, and a trade's execution
in Trade attribution, under AppTest on the hand-made database of tests/test_execution_queries.py."""
from __future__ import annotations

import json

from tests.apptest import open_page
from tests.test_execution_queries import execution_db, execution_url  # noqa: F401  (fixtures)


def _metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_execution_quality_tab(execution_db):
    at = open_page("exits", tab="Execution")
    assert not at.exception
    metrics = _metrics(at)
    assert metrics["Orders (entries / exits)"] == "6"
    assert metrics["Never filled"] == "1"
    assert metrics["Median slippage"] == "+2.00¢"
    assert metrics["Cost of slippage"] == "$0.40"                 # cents in the summary
    assert metrics["Filled at or better"] == "40.0%"
    assert any("positive = it cost us" in c.value.lower() or "Positive = it cost us" in c.value for c in at.caption)
    grouped = next(d.value for d in at.dataframe if "share_at_or_better" in d.value.columns)
    assert str(grouped[grouped.kind == "All orders"].total_cost.iloc[0]) == "0.4000"   # exact in the table
    ledger = next(d.value for d in at.dataframe if "slippage_cents" in d.value.columns)
    assert len(ledger) == 6 and ledger.position.iloc[0].startswith("exits?tab=One%20position&position=")
    chart = next(json.loads(c.proto.spec) for c in at.get("plotly_chart") if c.key == "exits_slippage_chart")
    assert {t["name"] for t in chart["data"]} == {"halftime_entry v1.0", "halftime_entry v1.1"}


def test_a_version_keeps_its_colour_whatever_the_filter(execution_db):
    def colours(at):
        chart = next(json.loads(c.proto.spec) for c in at.get("plotly_chart") if c.key == "exits_slippage_chart")
        return {t["name"]: t["marker"]["color"] for t in chart["data"]}
    every = colours(open_page("exits", tab="Execution"))
    only_second = colours(open_page("exits", tab="Execution", strategy="2"))
    assert only_second == {"halftime_entry v1.1": every["halftime_entry v1.1"]}


def test_how_far_positions_ran_tab(execution_db):
    at = open_page("exits", tab="MAE / MFE")
    assert not at.exception
    metrics = _metrics(at)
    assert (metrics["Exits"], metrics["Median MAE"], metrics["Median MFE"]) == ("3", "-14.00¢", "+8.00¢")
    assert metrics["Median exit efficiency"] == "82%"
    assert metrics["Losing stops recovered"] == "100%"
    table = next(d.value for d in at.dataframe if "recovered_text" in d.value.columns)
    assert table.set_index("exit_condition").loc["stop_loss", "recovered_text"] == "1 of 1"
    said = [m.value for m in at.markdown]
    assert any("1 of 1 (100%)" in s for s in said) and any("1 of 2 (50%)" in s for s in said)
    assert any("Partial exits: each exit is measured on its own" in c.value for c in at.caption)
    scatter = next(json.loads(c.proto.spec) for c in at.get("plotly_chart") if c.key == "exits_excursions_chart")
    points = {t["name"]: (t["x"], t["y"]) for t in scatter["data"]}
    assert set(points) == {"stop loss", "partial exit target", "profit target"}


def test_a_trades_detail_shows_its_execution(execution_db):
    at = open_page("trades", trade="2")                 # PB's buy: its entry is ticked
    assert not at.exception
    execution = next(d.value for d in at.dataframe if "slippage_cents" in d.value.columns)
    assert [None if v is None else str(v) for v in execution.slippage_cents] == ["-1.0000", "2.0000", None]
    assert execution.this_trade.tolist() == [True, False, False]
    assert any("Execution against the decision" in c.value for c in at.caption)
    at = open_page("trades", trade="5")                 # PB's sell: the exit order it filled
    execution = next(d.value for d in at.dataframe if "slippage_cents" in d.value.columns)
    assert execution.this_trade.tolist() == [False, True, False]


def test_one_position_shows_how_far_it_ran_before_each_exit(execution_db):
    at = open_page("exits", position="2")               # PB: its partial exit on the NO contract
    assert not at.exception
    ran = next(d.value for d in at.dataframe if "mae_cents" in d.value.columns)
    assert [str(v) for v in ran.mae_cents] == ["-9.0000"] and [str(v) for v in ran.mfe_cents] == ["11.0000"]
    assert round(float(ran.efficiency.iloc[0]), 4) == 0.8182
