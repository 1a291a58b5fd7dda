"""analytics/edges.py against numbers worked by hand."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pandas as pd
import pytest

from analytics import edges as edge_stats


@pytest.mark.parametrize("text, expected", [
    ("0.04", Decimal("0.0400")), (" 0.1 ", Decimal("0.1000")), ("-0.02", Decimal("-0.0200")),
    ("1", Decimal("1.0000")), ("-1", Decimal("-1.0000")), ("0.123456", Decimal("0.1235")),
])
def test_parse_threshold_accepts_numbers_between_minus_one_and_one(text, expected):
    assert edge_stats.parse_threshold(text) == expected


@pytest.mark.parametrize("text", ["abc", "", "nan", "NaN", "inf", "-Infinity", "1.5", "-2", "0x10", "1e400"])
def test_parse_threshold_refuses_anything_else(text):
    with pytest.raises(ValueError):
        edge_stats.parse_threshold(text)


def summary_frame() -> pd.DataFrame:
    none = None
    return pd.DataFrame([
        ("ev_bucket", Decimal("0.03"), False, none, none, none, none, 2, none, none, 2),
        ("ev_bucket", Decimal("0.05"), True, none, none, none, none, 3, none, none, 1),
        ("total", none, none, none, none, none, none, 3, Decimal("0.07"), Decimal("0.09"), 1),
        ("version", none, none, "a", "v1.0", "m", "v2.0", 1, Decimal("0.05"), Decimal("0.05"), 1),
        ("version", none, none, "b", "v1.0", "m", "v2.0", 2, Decimal("0.08"), Decimal("0.09"), 1),
        ("version", none, none, None, None, None, None, 2, Decimal("0.06"), Decimal("0.07"), 1),
    ], columns=["part", "ev_bucket", "above", "strategy_name", "strategy_version", "model_name",
                "model_version", "edges", "mean_ev", "max_ev", "markets"])


def test_ev_distribution_draws_each_bucket_at_its_middle():
    frame = edge_stats.ev_distribution(summary_frame())
    assert list(frame.ev_bucket) == [0.03, 0.05]
    assert list(frame.ev_mid) == pytest.approx([0.035, 0.055])
    assert list(frame.edges) == [2, 3]
    assert list(frame.threshold) == [edge_stats.BELOW, edge_stats.ABOVE]


def test_by_version_labels_and_sorts_most_edges_first():
    frame = edge_stats.by_version(summary_frame())
    assert list(frame.strategy) == ["(none)", "b v1.0", "a v1.0"]
    assert list(frame.model) == ["(none)", "m v2.0", "m v2.0"]
    assert list(frame.edges) == [2, 2, 1]
    assert frame.mean_ev.dtype == float


def decay_frame() -> pd.DataFrame:
    return pd.DataFrame({
        "bucket": [0, 4], "bucket_label": ["under 1 h", "12-24 h"], "traded_edges": [1, 3],
        "mean_entry_edge": [Decimal("0.10"), Decimal("0.06")], "mean_close_edge": [Decimal("0.02"), Decimal("0.04")],
    })


def test_decay_long_has_a_row_per_bucket_and_moment():
    long = edge_stats.decay_long(decay_frame())
    assert list(zip(long.time_to_expiry, long.moment, long.mean_edge)) == [
        ("under 1 h", edge_stats.AT_ENTRY, 0.10), ("under 1 h", edge_stats.AT_CLOSE, 0.02),
        ("12-24 h", edge_stats.AT_ENTRY, 0.06), ("12-24 h", edge_stats.AT_CLOSE, 0.04)]
    assert edge_stats.decay_long(decay_frame().iloc[0:0]).empty


def test_retained_share_weights_buckets_by_trades():
    # (1 x 0.02 + 3 x 0.04) / (1 x 0.10 + 3 x 0.06) = 0.14 / 0.28
    assert edge_stats.retained_share(decay_frame()) == pytest.approx(0.5)
    assert edge_stats.retained_share(decay_frame().iloc[0:0]) is None
    negative = decay_frame().assign(mean_entry_edge=[Decimal("-0.1"), Decimal("0")])
    assert edge_stats.retained_share(negative) is None


def test_decay_windows_start_at_midnight_utc_days_before_today():
    today = date(2026, 11, 21)
    assert edge_stats.window_start("30d", today) == datetime(2026, 10, 22)
    assert edge_stats.window_start("90d", today) == datetime(2026, 8, 23)
    assert edge_stats.window_start("1y", today) == datetime(2025, 11, 21)
    assert edge_stats.window_start("all", today) is None
    assert edge_stats.DEFAULT_DECAY_WINDOW in edge_stats.DECAY_WINDOWS


def test_the_side_to_buy_is_where_the_edge_is():
    from analytics.edges import side_to_buy

    # the row: the model's P(yes) 0.568 against a YES price of 0.79: the edge is on NO
    assert side_to_buy(Decimal("0.5680"), Decimal("0.7900")) == "NO"
    assert side_to_buy(Decimal("0.7537"), Decimal("0.5200")) == "YES"
    assert side_to_buy(Decimal("0.5"), Decimal("0.5")) == "—"
