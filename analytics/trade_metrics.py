"""Trade-based results of strategy versions, from the per-version sums the database returns.

Computed from closed positions (one realized P&L each), not from a daily returns series: profit
factor, payoff ratio and losing streaks are properties of the trade log, and the tear-sheet
libraries that derive them from daily returns count days, not positions. The Sharpe and Sortino
ratios are the exception, as they are defined on a daily series: daily realized P&L, every
calendar day from a version's first to its last close counted (0 on a day without one).

Money stays Decimal (format_money shows it); ratios become floats.
"""
from __future__ import annotations

import math
from decimal import Decimal

import numpy as np
import pandas as pd

from analytics.money import format_money

LIVE, PAPER = "live", "paper"
MODES = (LIVE, PAPER)


def _ratio(numerator, denominator) -> float:
    if denominator is None or numerator is None or denominator == 0:
        return math.nan
    return float(numerator) / float(denominator)


def summarize(metrics: pd.DataFrame) -> pd.DataFrame:
    """Per strategy version x mode (rows of analytics/ab_positions.version_metrics): the page's metrics.

    Adds win_rate, mean_return, roi, profit_factor (inf when nothing lost), payoff_ratio (NaN
    without wins or losses) and avg_clv_cents / avg_edge (floats).
    """
    frame = metrics.copy()
    if frame.empty:
        return frame.assign(win_rate=[], mean_return=[], roi=[], profit_factor=[], payoff_ratio=[])
    frame["win_rate"] = [_ratio(w, n) for w, n in zip(frame.wins, frame.positions_closed)]
    frame["mean_return"] = [_ratio(s, n) for s, n in zip(frame.return_sum, frame.positions_closed)]
    frame["roi"] = [_ratio(p, c) for p, c in zip(frame.realized_pnl, frame.cost)]
    frame["profit_factor"] = [
        math.inf if loss == 0 and profit > 0 else _ratio(profit, loss)
        for profit, loss in zip(frame.gross_profit, frame.gross_loss)]
    frame["payoff_ratio"] = [
        _ratio(_ratio(profit, wins), _ratio(loss, losses)) if wins and losses else math.nan
        for profit, loss, wins, losses in zip(frame.gross_profit, frame.gross_loss, frame.wins, frame.losses)]
    return frame


# Prediction markets trade every day (sports at weekends), so a year is 365 days, not 252.
DAYS_PER_YEAR = 365


def daily_ratios(daily: pd.DataFrame) -> pd.DataFrame:
    """Per version (daily: strategy_id, day, realized_pnl in dollars, one row per version and day
    with a close, by day; ab_positions.daily_pnl): days (calendar days from its first to its last
    close), sharpe (mean daily P&L / its standard deviation, ddof 1, times sqrt(365)) and sortino
    (mean / downside deviation, the root mean square of the days below 0, times sqrt(365)). The
    P&L is in dollars: both ratios are scale-free, so they equal the ratios of daily returns on a
    fixed capital. NaN with fewer than two days or no spread (Sortino: no losing day)."""
    columns = ["strategy_id", "days", "sharpe", "sortino"]
    if daily.empty:
        return pd.DataFrame(columns=columns)
    strategy = daily["strategy_id"].to_numpy()
    day = pd.to_datetime(daily["day"]).to_numpy().astype("datetime64[D]").astype(np.int64)
    pnl = daily["realized_pnl"].to_numpy(dtype=float)
    rows = []
    root = math.sqrt(DAYS_PER_YEAR)
    for strategy_id in dict.fromkeys(strategy):
        mine = strategy == strategy_id
        days, x = day[mine], pnl[mine]
        n = int(days.max() - days.min() + 1)  # the days without a close add zeros: to the count, not the sums
        mean = x.sum() / n
        var = ((x - mean) ** 2).sum() + (n - len(x)) * mean * mean
        sd = math.sqrt(var / (n - 1)) if n > 1 else math.nan
        downside = math.sqrt((np.minimum(x, 0.0) ** 2).sum() / n)
        rows.append({"strategy_id": strategy_id, "days": n,
                     "sharpe": mean / sd * root if n > 1 and sd > 0 else math.nan,
                     "sortino": mean / downside * root if n > 1 and downside > 0 else math.nan})
    return pd.DataFrame(rows, columns=columns)


# --- formatting (shared by the page and the HTML report) ------------------------------------------
def percent(value: float | None, places: int = 1, signed: bool = False) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value * 100:{'+' if signed else ''}.{places}f}%"


def points(value: float | None, places: int = 1) -> str:
    """A difference of two percentages, in percentage points."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value * 100:+.{places}f} pp"


def cents(value, places: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{float(value) * 100:+.{places}f}¢"


def _factor(value: float, none_text: str) -> str:
    if math.isinf(value):
        return "∞ (no losing position)"
    if math.isnan(value):
        return none_text
    return f"{value:.2f}"


METRIC_ROWS = [
    "Trades (entry and exit fills)", "Closed positions", "Win rate", "Mean return per position",
    "Realized P&L", "ROI (P&L / cost)", "Profit factor", "Payoff ratio", "Max drawdown",
    "Longest losing streak", "Avg edge at execution", "CLV (of positions whose market closed)",
    "Sharpe ratio (daily P&L, ×√365)", "Sortino ratio (daily P&L, ×√365)",
]


def column_label(version: str, mode: str, control: str) -> str:
    return f"{version} · {mode}" + (" (control)" if version == control else "")


def _ratio_text(value: float, days: int | None) -> str:
    if days is None:
        return "—"
    if math.isnan(value):
        return f"— ({days} day{'' if days == 1 else 's'})"
    return f"{value:.2f} ({days} days)"


def display_table(summary: pd.DataFrame, labels: dict[int, str], control: str,
                  order: list[int], modes: tuple[str, ...] = MODES,
                  ratios: dict[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """Metrics as rows, one column per version x mode with closed positions (control first,
    then `order`; live before paper). Every cell is text, formatted once for page and report.
    ratios: per mode, daily_ratios of that mode's daily P&L (the Sharpe and Sortino rows)."""
    columns: dict[str, list[str]] = {}
    for strategy_id in order:
        for mode in modes:
            match = summary[(summary.strategy_id == strategy_id) & (summary.execution_mode == mode)]
            if match.empty:
                continue
            r = match.iloc[0]
            clv = (f"{cents(r.avg_clv)} ({int(r.clv_positions)} of {int(r.positions_closed)})"
                   if r.clv_positions else "— (no market closed yet)")
            mode_ratios = (ratios or {}).get(mode)
            ratio = (mode_ratios[mode_ratios.strategy_id == strategy_id] if mode_ratios is not None
                     else pd.DataFrame())
            days = int(ratio.days.iloc[0]) if len(ratio) else None
            sharpe = float(ratio.sharpe.iloc[0]) if len(ratio) else math.nan
            sortino = float(ratio.sortino.iloc[0]) if len(ratio) else math.nan
            columns[column_label(labels[strategy_id], mode, control)] = [
                f"{int(r.trades):,}", f"{int(r.positions_closed):,}", percent(r.win_rate),
                percent(r.mean_return, 2, signed=True), format_money(r.realized_pnl), percent(r.roi, 2, signed=True),
                _factor(r.profit_factor, "— (no position won or lost)"),
                _factor(r.payoff_ratio, "— (needs wins and losses)"),
                format_money(-r.max_drawdown),
                f"{int(r.longest_losing_streak)} position{'' if r.longest_losing_streak == 1 else 's'}",
                cents(r.avg_edge), clv, _ratio_text(sharpe, days), _ratio_text(sortino, days)]
    return pd.DataFrame(columns, index=pd.Index(METRIC_ROWS, name="Metric")).reset_index()


def roi_check(rows: pd.DataFrame, labels: dict[int, str], tolerance: Decimal = Decimal("0.0001")) -> pd.DataFrame:
    """Stored paper_roi / live_roi against the ROI recomputed from all closed positions.

    Returns version, mode, stored, recomputed (text), positions, status ('matches', 'MISMATCH',
    'not stored', 'nothing to recompute from') and mismatch (bool); pairs with neither a stored
    figure nor closed positions are left out.
    """
    out = []
    for r in rows.itertuples():
        stored, recomputed = r.stored_roi, r.recomputed_roi
        if stored is None and recomputed is None:
            continue
        if stored is None:
            status = "not stored"
        elif recomputed is None:
            status = "nothing to recompute from"
        elif abs(Decimal(stored) - Decimal(recomputed)) > tolerance:
            status = "MISMATCH"
        else:
            status = "matches"
        out.append({"version": labels.get(r.strategy_id, str(r.strategy_id)), "mode": r.execution_mode,
                    "stored": percent(None if stored is None else float(stored), 2, signed=True),
                    "recomputed": percent(None if recomputed is None else float(recomputed), 2, signed=True),
                    "positions": int(r.positions_closed), "status": status, "mismatch": status == "MISMATCH"})
    return pd.DataFrame(out, columns=["version", "mode", "stored", "recomputed", "positions", "status", "mismatch"])


def strategy_model_matrix(results: pd.DataFrame, mode: str, versions: list[str]) -> pd.DataFrame:
    """Realized P&L and closed positions for every strategy version x model version pair (rows with
    strategy_version, model_name, model_version, execution_mode, positions_closed, realized_pnl),
    for one execution mode.

    One row per strategy version (in `versions` order), one column per model version; a cell is
    '$P&L · n positions', empty where the pair never closed a position.
    """
    rows = results[(results.execution_mode == mode) & (results.strategy_version.isin(versions))]
    if rows.empty:
        return pd.DataFrame(columns=["Strategy version"])
    grouped = (rows.assign(model=rows.model_name + " " + rows.model_version)
               .groupby(["strategy_version", "model"], sort=False)
               .agg(realized_pnl=("realized_pnl", "sum"), positions=("positions_closed", "sum")).reset_index())
    models = sorted(grouped.model.unique())
    table = []
    for version in versions:
        cells = {"Strategy version": version}
        for model in models:
            hit = grouped[(grouped.strategy_version == version) & (grouped.model == model)]
            cells[model] = (f"{format_money(hit.realized_pnl.iloc[0])} · {int(hit.positions.iloc[0]):,}"
                            if not hit.empty else "")
        table.append(cells)
    return pd.DataFrame(table, columns=["Strategy version", *models])
