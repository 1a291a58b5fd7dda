"""Edges as the Current edges page shows them: pure functions over the frames of
queries/edges.py (no Streamlit, no SQL). Decimals become floats only here, for charts."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

import pandas as pd

ABOVE = "at or above the threshold"
BELOW = "below the threshold"
AT_ENTRY = "at entry"
AT_CLOSE = "at the market's close"


def parse_threshold(text: str) -> Decimal:
    """An EV threshold from a URL: a finite number between -1 and 1 (prices live in [0, 1], so an
    edge per contract cannot leave that range). Raises ValueError otherwise."""
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise ValueError(text) from None
    if not value.is_finite() or not Decimal(-1) <= value <= Decimal(1):
        raise ValueError(text)
    return value.quantize(Decimal("0.0001"))


# How far back the decay chart looks (entries traded in the window). Every window reads the
# database-kept edge_decay_facts (all time: 60 ms at ten years); 90 days is the default view.
# window -> (button label, phrase for sentences, days or None)
DECAY_WINDOWS = {"30d": ("the last 30 days", "in the last 30 days", 30),
                 "90d": ("the last 90 days", "in the last 90 days", 90),
                 "1y": ("the last year", "in the last year", 365),
                 "all": ("all time", "at any time", None)}
DEFAULT_DECAY_WINDOW = "90d"


def window_start(window: str, today: date) -> datetime | None:
    """The first moment of a decay window ending today (UTC midnight, so it stays the same all
    day and caches well); None for all time."""
    days = DECAY_WINDOWS[window][2]
    return None if days is None else datetime.combine(today - timedelta(days=days), time.min)


def version_label(name: str | None, version: str | None) -> str:
    """'halftime_entry v1.0'; '(none)' for an edge without that attribution."""
    if name is None or pd.isna(name):
        return "(none)"
    return f"{name} {version}"


BUCKET_WIDTH = 0.01  # edges_summary.sql's buckets


def ev_distribution(summary: pd.DataFrame) -> pd.DataFrame:
    """The EV histogram: bucket (lower edge, float), its middle (where a bar is drawn), edges,
    and which side of the threshold."""
    rows = summary[summary.part == "ev_bucket"]
    lower = rows.ev_bucket.astype(float).round(2)
    return pd.DataFrame({
        "ev_bucket": lower,
        "ev_mid": lower + BUCKET_WIDTH / 2,
        "edges": rows.edges.astype(int),
        "threshold": [ABOVE if above else BELOW for above in rows.above],
    }).reset_index(drop=True)


def by_version(summary: pd.DataFrame) -> pd.DataFrame:
    """Edges at or above the threshold per strategy version x model version, most first."""
    rows = summary[summary.part == "version"]
    frame = pd.DataFrame({
        "strategy": [version_label(n, v) for n, v in zip(rows.strategy_name, rows.strategy_version)],
        "model": [version_label(n, v) for n, v in zip(rows.model_name, rows.model_version)],
        "edges": rows.edges.astype(int),
        "markets": rows.markets.astype(int),
        "mean_ev": rows.mean_ev.astype(float),
        "max_ev": rows.max_ev.astype(float),
    })
    return frame.sort_values(["edges", "strategy", "model"], ascending=[False, True, True]).reset_index(drop=True)


def decay_long(decay: pd.DataFrame) -> pd.DataFrame:
    """Decay rows in long form for a chart: one row per bucket x moment (at entry, at close)."""
    if decay.empty:
        return pd.DataFrame(columns=["bucket", "time_to_expiry", "moment", "mean_edge", "traded_edges"])
    parts = []
    for moment, column in ((AT_ENTRY, "mean_entry_edge"), (AT_CLOSE, "mean_close_edge")):
        parts.append(pd.DataFrame({
            "bucket": decay.bucket.astype(int),
            "time_to_expiry": decay.bucket_label,
            "moment": moment,
            "mean_edge": decay[column].astype(float),
            "traded_edges": decay.traded_edges.astype(int),
        }))
    # entry before close within a bucket (the order of `parts`), buckets in time order
    return pd.concat(parts, ignore_index=True).sort_values("bucket", kind="stable").reset_index(drop=True)


def retained_share(decay: pd.DataFrame) -> float | None:
    """How much of the entry edge was still there at the close, over every traded edge:
    sum of close edges / sum of entry edges (None without trades or with no entry edge)."""
    if decay.empty:
        return None
    n = decay.traded_edges.astype(float)
    entry = (n * decay.mean_entry_edge.astype(float)).sum()
    close = (n * decay.mean_close_edge.astype(float)).sum()
    if entry <= 0:
        return None
    return float(close / entry)


def side_to_buy(p_yes, yes_price) -> str:
    """'YES' when the model's P(yes) is above the YES price (YES is cheap), 'NO' when below (NO,
    at about 1 - the YES price, is cheap: the edge is on NO), '—' when they are equal."""
    if pd.isna(p_yes) or pd.isna(yes_price) or p_yes == yes_price:
        return "—"
    return "YES" if p_yes > yes_price else "NO"


def current_edges_shown(rows: pd.DataFrame) -> pd.DataFrame:
    """The current-edges table's rows with the side to buy and one 'name version' label per
    strategy and model (so the table fits a laptop's width)."""
    return rows.assign(
        side=[side_to_buy(p, m) for p, m in zip(rows.true_win_probability, rows.market_price)],
        strategy=[version_label(n, v) for n, v in zip(rows.strategy_name, rows.strategy_version)],
        model=[version_label(n, v) for n, v in zip(rows.model_name, rows.model_version)],
    )
