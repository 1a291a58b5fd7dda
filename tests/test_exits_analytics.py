"""analytics/exits.py on plain frames: the wording and reshaping the page relies on."""
from __future__ import annotations

from decimal import Decimal

import pandas as pd

from analytics import exits as ax


def test_steps_table_pivots_steps_and_the_rest():
    frame = pd.DataFrame({
        "steps": [1, 1, 3, 3, 3, 3], "step": [1, None, 1, 2, 3, None], "positions": [4, 4, 2, 2, 2, 2],
        "quantity": [0] * 6, "opening_quantity": [0] * 6,
        "mean_share": [Decimal("0.9"), Decimal("0.1"), Decimal("0.5"), Decimal("0.25"), Decimal("0.25"), Decimal("0")]})
    table = ax.steps_table(frame)
    assert list(table.columns) == ["steps", "positions", "step_1", "step_2", "step_3", "left_after_exits"]
    assert table.positions.tolist() == [4, 2]
    assert table.loc[0, "left_after_exits"] == Decimal("0.1")
    assert pd.isna(table.loc[0, "step_2"])
    assert ax.steps_table(frame.iloc[0:0]).empty


def test_regret_verdict_says_which_way():
    assert ax.regret_verdict(Decimal("4.0000"), 1) == "exiting saved $4.00"
    assert ax.regret_verdict(Decimal("-1234.5"), 3) == "exiting cost $1,234.50"
    assert ax.regret_verdict(Decimal("0"), 2) == "no difference"
    assert ax.regret_verdict(Decimal("0"), 0) == "no settled market yet"


def test_staleness_flags_against_the_monitor_cadence():
    frame = pd.DataFrame({"seconds_since_update": [Decimal(30), Decimal(31), None],
                          "seconds_behind_newest": [Decimal(0), Decimal(31), None]})
    flagged = ax.flag_stale(frame)
    assert flagged.stale.tolist() == [False, True, True]
    assert flagged.lagging.tolist() == [False, True, True]
    assert flagged.age.tolist() == ["30 s", "31 s", "never"]


def test_durations_and_money_read_like_people_write_them():
    assert [ax.describe_seconds(s) for s in (5, 600, 3 * 3600, 3 * 86400, None)] == ["5 s", "10 min", "3 h", "3 days", "never"]
    assert ax.money(Decimal("-0.5")) == "-$0.50"           # summaries in cents
    assert ax.money(Decimal("2001.15")) == "$2,001.15"
    assert ax.exact_money(Decimal("-0.5")) == "-$0.5000"   # the exact value, as in tables
    assert ax.money(None) == "—"
