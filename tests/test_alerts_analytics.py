"""analytics/alerts.py against numbers worked by hand and statsmodels' reference interval."""
from __future__ import annotations

import math
from datetime import datetime

import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from analytics import alerts
from ui.text import literal

W1, W2 = datetime(2026, 10, 5), datetime(2026, 10, 12)
TIMES = pd.DataFrame([
    # week, severity, component, alerts, acknowledged, ack_seconds, resolved, resolve_seconds
    (W1, "critical", "kalshi_api", 2, 2, 600.0, 2, 3600.0),
    (W1, "critical", "market_feed", 1, 1, 300.0, 0, 0.0),
    (W1, "low", "kalshi_api", 3, 2, 7200.0, 1, 36000.0),
    (W2, "critical", "kalshi_api", 1, 0, 0.0, 0, 0.0),
], columns=["week", "severity", "component", "alerts", "acknowledged", "ack_seconds", "resolved", "resolve_seconds"])


def test_mean_times_over_time_weight_by_alerts_answered():
    frame = alerts.response_times_over_time(TIMES, "severity")
    assert frame[["week", "severity"]].values.tolist() == [[W1, "critical"], [W1, "low"], [W2, "critical"]]
    w1_critical = frame.iloc[0]
    # (600 + 300) s over 3 acknowledged = 300 s = 5 min; 3600 s over 2 resolved = 30 min
    assert (w1_critical.alerts, w1_critical.mtta_minutes, w1_critical.mttr_minutes) == (3, 5.0, 30.0)
    assert frame.iloc[1].mtta_minutes == 60.0 and frame.iloc[1].mttr_minutes == 600.0
    assert math.isnan(frame.iloc[2].mtta_minutes) and math.isnan(frame.iloc[2].mttr_minutes)


def test_summary_by_component_and_severity_order():
    by_component = alerts.response_time_summary(TIMES, "component").set_index("component")
    # kalshi_api: ack (600 + 7200) / 4 = 1950 s = 32.5 min; resolve (3600 + 36000) / 3 = 13200 s = 220 min
    assert by_component.loc["kalshi_api", "mtta_minutes"] == 32.5
    assert by_component.loc["kalshi_api", "mttr_minutes"] == 220.0
    assert by_component.loc["market_feed", "alerts"] == 1
    by_severity = alerts.response_time_summary(
        pd.concat([TIMES, TIMES.assign(severity="high"), TIMES.assign(severity="medium")]), "severity")
    assert by_severity.severity.tolist() == ["critical", "high", "medium", "low"]  # not alphabetical


def test_empty_frames_give_empty_results():
    assert alerts.response_times_over_time(TIMES.iloc[:0], "severity").empty
    assert alerts.response_time_summary(TIMES.iloc[:0], "component").empty
    assert alerts.false_positive_rates(pd.DataFrame(columns=["alert_type", "resolved", "false_positives"])).empty


def test_false_positive_rate_and_wilson_interval():
    frame = pd.DataFrame({"alert_type": ["a", "b", "c"], "resolved": [40, 4, 0], "false_positives": [10, 0, 0]})
    rates = alerts.false_positive_rates(frame).set_index("alert_type")
    assert rates.loc["a", "rate"] == 0.25
    low, high = proportion_confint(10, 40, method="wilson")
    assert (rates.loc["a", "ci_low"], rates.loc["a", "ci_high"]) == pytest.approx((low, high))
    assert rates.loc["a", "ci_low"] == pytest.approx(0.1419, abs=1e-4)  # Wilson 95%, worked by hand
    assert rates.loc["a", "enough_data"] and not rates.loc["b", "enough_data"]
    assert rates.loc["b", "rate"] == 0.0 and rates.loc["b", "ci_high"] > 0.4  # 0 of 4 says little
    assert math.isnan(rates.loc["c", "rate"]) and math.isnan(rates.loc["c", "ci_low"])


@pytest.mark.parametrize("note, problem", [
    (None, None), ("", None), ("line\n\ttab\r\n", None), ("x" * 2000, None),
    ("x" * 2001, "The note is 2001 characters long; at most 2000 are allowed."),
    ("bell\x07", "control characters"), ("nul\x00", "control characters"), ("c1\x85", "control characters"),
])
def test_note_problem(note, problem):
    found = alerts.note_problem(note)
    assert (found is None) if problem is None else (problem in found)


@pytest.mark.parametrize("action, problem", [
    ("fixed", None), ("false_positive", None), ("ignored", None), ("escalated", None),
    (None, "Choose a resolution action"), ("", "Choose a resolution action"), (" ", "Choose a resolution action"),
    ("deleted", "'deleted' is unknown"), ("FIXED", "unknown"),
])
def test_resolution_problem(action, problem):
    found = alerts.resolution_problem(action)
    assert (found is None) if problem is None else (problem in found)


def test_summarise_outcomes():
    assert alerts.summarise_outcomes([("acknowledged", "Alert 1 acknowledged by a at T UTC.")], "acknowledged") == (
        "Alert 1 acknowledged by a at T UTC.", [])
    many = [("acknowledged", f"m{i}") for i in range(3)] + [("already_acknowledged", f"x{i}") for i in range(7)]
    success, others = alerts.summarise_outcomes(many, "acknowledged", limit=5)
    assert success == "Acknowledged 3 alerts."
    assert others[:5] == ["x0", "x1", "x2", "x3", "x4"]
    assert others[5] == "… and 2 more (7 already acknowledged in all)."
    assert alerts.summarise_outcomes([("refused", "The note is too long.")], "resolved") == (None, ["The note is too long."])
    assert alerts.summarise_outcomes([], "") == (None, [])


def test_selection_follows_keys_when_rows_move():
    shown = ["fpA", "fpB", "fpC"]
    keys = alerts.selected_keys([0, 2, 9], shown)
    assert keys == ["fpA", "fpC"]
    # a new group arrives on top and fpB is resolved: the same groups stay selected
    assert alerts.rows_of(keys, ["fpNEW", "fpA", "fpC"]) == [1, 2]
    assert alerts.rows_of(keys, ["fpNEW"]) == []


def test_literal_text_survives_markdown():
    # a word joiner (U+2060) after '://': no bare address is linked either (ui/text.py)
    assert literal("**bold** [link](http://x)") == "\\*\\*bold\\*\\* \\[link\\]\\(http\\:\\/\\/\u2060x\\)"
    assert literal("<img src=x onerror=alert(1)>") == r"\<img src\=x onerror\=alert\(1\)\>"
    assert literal("plain words 42") == "plain words 42"
