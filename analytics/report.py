"""The A/B comparison as charts, and as one self-contained HTML document for a meeting's minutes.

The same figure functions draw the page and the report, so both show the same thing. The report
inlines plotly.js once (no CDN: it opens offline, years later) and escapes every piece of text,
database text included.
"""
from __future__ import annotations

import html
from datetime import datetime, timezone
from typing import Iterable, Sequence, Union

import math

import pandas as pd
import plotly.graph_objects as go

from analytics import ab_stats
from analytics.trade_metrics import percent, points
from ui.charts import Chart, line_mode, merged, table, values

# High contrast on a projector; the control is always the first colour.
PALETTE = ["#1f5fa8", "#d1495b", "#2e9d5b", "#e08a00", "#7b4fb3", "#00a0b0"]
FONT_SIZE = 15


def colours(versions: Sequence[str]) -> dict[str, str]:
    return {v: PALETTE[i % len(PALETTE)] for i, v in enumerate(versions)}


def _layout(y_title: str, x_title: str = "", y_format: str | None = None, **more) -> dict:
    """The figures' shared layout, as one dict (the figures are plain specs: ui/charts.py)."""
    grid = dict(showgrid=True, gridcolor="#e6e6e6", automargin=True)
    layout = dict(
        font=dict(size=FONT_SIZE), margin=dict(l=10, r=10, t=40, b=10), height=360,
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0),
        hovermode="x unified", plot_bgcolor="white",
        xaxis=dict(**({"title": dict(text=x_title)} if x_title else {}), **grid),
        yaxis=dict(title=dict(text=y_title), zeroline=True, zerolinecolor="#888",
                   **({"tickformat": y_format} if y_format else {}), **grid),
    )
    return merged(layout, more)


def _each(frame: pd.DataFrame, versions: Sequence[str]):
    """(version, its rows, its colour) for every version with rows, in the given order."""
    palette = colours(versions)
    for version in versions:
        rows = frame[frame.version == version]
        if not rows.empty:
            yield version, rows, palette[version]


def cumulative_pnl_figure(daily: pd.DataFrame, versions: Sequence[str]) -> Chart:
    """daily: version, day, cumulative_pnl (dollars). One step line per version, control first."""
    traces = [dict(type="scatter", x=values(rows.day), y=values(rows.cumulative_pnl), name=version, mode="lines",
                   line=dict(color=colour, width=3, shape="hv"))
              for version, rows, colour in _each(daily, versions)]
    return Chart(traces, _layout("Realized P&L", y_format="$,.0f"))


def returns_histogram_figure(histogram: pd.DataFrame, versions: Sequence[str]) -> Chart:
    """histogram: version, bin_low, bin_high, positions. Share of each version's positions per bin
    (versions differ in size), overlaid on shared bins."""
    traces = [dict(type="bar", x=values((rows.bin_low + rows.bin_high) / 2), y=values(rows.positions / rows.positions.sum()),
                   width=values((rows.bin_high - rows.bin_low) * 0.95), name=version, marker=dict(color=colour),
                   opacity=0.6, customdata=values(rows.positions),
                   hovertemplate="%{x:.1%}: %{y:.1%} of positions (%{customdata})<extra>%{fullData.name}</extra>")
              for version, rows, colour in _each(histogram, versions)]
    return Chart(traces, _layout("Share of positions", "Return per closed position", y_format=".0%",
                                 barmode="overlay", hovermode="closest", xaxis=dict(tickformat=".0%")))


def lift_figure(lift: pd.DataFrame, versions: Sequence[str], level: float) -> Chart:
    """lift: look_at, version, estimate, low, high (lift_over_time). The difference in mean return
    against the control with its interval band, per challenger."""
    traces = []
    for version, rows, colour in _each(lift, versions):
        traces.append(dict(type="scatter", x=values(pd.concat([rows.look_at, rows.look_at[::-1]])),
                           y=values(pd.concat([rows.high, rows.low[::-1]])), fill="toself", fillcolor=colour,
                           opacity=0.18, line=dict(width=0), hoverinfo="skip", showlegend=False))
        traces.append(dict(type="scatter", x=values(rows.look_at), y=values(rows.estimate), name=f"{version} − control",
                           mode=line_mode(len(rows)), line=dict(color=colour, width=3), marker=dict(size=5),
                           customdata=table(rows, ["low", "high"]),
                           hovertemplate="%{y:+.2%} (%{customdata[0]:+.2%} to %{customdata[1]:+.2%})"))
    return Chart(traces, _layout(f"Difference ({level:.1%} interval)", "Weekly look", y_format="+.0%"))


def chance_figure(lift: pd.DataFrame, versions: Sequence[str]) -> Chart:
    """Chance to beat the control (normal approximation) at every weekly look."""
    traces = [dict(type="scatter", x=values(rows.look_at), y=values(rows.chance_to_beat), name=version,
                   mode=line_mode(len(rows)), line=dict(color=colour, width=3), marker=dict(size=5),
                   hovertemplate="%{y:.0%}")
              for version, rows, colour in _each(lift, versions)]
    even = dict(type="line", xref="paper", x0=0, x1=1, y0=0.5, y1=0.5, line=dict(color="#888", dash="dot"))
    return Chart(traces, _layout("Chance to beat control", "Weekly look", y_format=".0%",
                                 shapes=[even], yaxis=dict(range=[0, 1])))


# --- tables and sentences (page and report alike) -----------------------------------------------
def interval_text(low: float, high: float, places: int = 2) -> str:
    return f"{points(low, places)} to {points(high, places)}".replace(" pp to", " to")


def p_text(p: float | None) -> str:
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return "—"
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def _p_relation(p: float) -> str:
    text = p_text(p)
    return text if text.startswith("<") else f"= {text}"


def decision(row) -> str:
    """'better than the control', 'worse than the control', 'no clear difference', or the note."""
    if row.note:
        return row.note
    if row.significant:
        return "better than the control" if row.estimate > 0 else "worse than the control"
    return "no clear difference"


def verdict_sentence(row, comparison: ab_stats.Comparison) -> str:
    if row.note:
        return f"{row.metric}: {row.note}"
    places = 2 if row.metric == ab_stats.RETURN else 1
    return (f"{row.metric}: {points(row.estimate, places)}, {comparison.level:.1%} interval "
            f"{interval_text(row.low, row.high, places)}, p {_p_relation(row.p_value)} "
            f"(Holm-adjusted {p_text(row.p_adjusted)}): {decision(row)}.")


def inference_table(comparison: ab_stats.Comparison) -> pd.DataFrame:
    """One row per challenger x metric, as text."""
    rows = []
    for r in comparison.rows.itertuples():
        places = 2 if r.metric == ab_stats.RETURN else 1
        rows.append({
            "Version": r.version, "Metric": r.metric,
            "Control": percent(r.control_value, places, signed=r.metric == ab_stats.RETURN),
            "Version value": percent(r.version_value, places, signed=r.metric == ab_stats.RETURN),
            "Difference": points(r.estimate, places) if not r.note else "—",
            f"Interval ({comparison.level:.1%})": interval_text(r.low, r.high, places) if not r.note else "—",
            "p-value": p_text(r.p_value), "Holm-adjusted p": p_text(r.p_adjusted),
            "Chance to beat control": f"{r.chance_to_beat:.0%}" if r.metric == ab_stats.RETURN and not r.note else "",
            "Verdict": decision(r)})
    return pd.DataFrame(rows)


def _count(value: float) -> str:
    return "—" if not math.isfinite(value) else f"{math.ceil(value):,}"


def power_table(comparison: ab_stats.Comparison, groups: dict[str, ab_stats.Group]) -> pd.DataFrame:
    """Per challenger with a power analysis: positions now, positions needed, power now."""
    rows = []
    for version, power in comparison.power.items():
        if power is None:
            continue
        rows.append({
            "Version": version,
            "Positions (version / control)": f"{groups[version].n:,} / {groups[comparison.control].n:,}",
            "Spread (sd of returns)": percent(power.sd, 1),
            "Needed each (sequential)": _count(power.needed_sequential),
            "Needed each (fixed)": _count(power.needed_fixed),
            "Power now (sequential)": f"{power.current_sequential:.0%}",
            "Power now (fixed)": f"{power.current_fixed:.0%}"})
    return pd.DataFrame(rows)


def method_sentence(comparison: ab_stats.Comparison) -> str:
    if comparison.sequential:
        how = (f"Sequential analysis (mixture SPRT, τ = {comparison.min_effect * 100:g} points): intervals and "
               "p-values stay valid however often the test is looked at, so weekly meetings do not inflate "
               "false positives.")
    else:
        how = ("Fixed-horizon analysis (Welch's t for the mean return, two-proportion z-test for the win rate): "
               "valid for one look at a sample size fixed in advance; looking every week inflates false positives.")
    if comparison.tests > 1:
        family = (f" {comparison.tests} comparisons (challengers × metrics): p-values are Holm-adjusted and each "
                  f"interval is at {comparison.level:.1%} (Bonferroni), so together they hold at "
                  f"{1 - comparison.alpha:.0%}.")
    elif comparison.tests == 1:
        family = f" One comparison, at {1 - comparison.alpha:.0%}."
    else:
        family = " No comparison has enough data yet."
    return (how + family + f" Fewer than {ab_stats.MIN_POSITIONS} closed positions in a version or the control: "
            "not enough data, no p-value.")


def method_notes(comparison: ab_stats.Comparison) -> list[str]:
    return [
        "Unit: the closed position (current row closed or settled), attributed to the strategy and model "
        "version of its opening buy. Return = realized P&L (fees included) / what the buys cost.",
        "Win: realized P&L > 0. A losing streak is a run of consecutive positions (in order of closing) "
        "with realized P&L < 0. Max drawdown: the largest fall of cumulative realized P&L from its peak "
        "(starting at 0).",
        "Profit factor = gross profit / gross loss; payoff ratio = average win / average loss.",
        "CLV: the held contract's last quoted price while its market was open (the 'no' price for a 'no' "
        "position) minus the entry price; only positions whose market has closed count.",
        method_sentence(comparison),
        "Sequential mode: mSPRT of Johari, Pekelis & Walsh (2017) on the difference of means with Welch's "
        "variance; always-valid p = min(1, 1/likelihood ratio); the interval is the confidence sequence.",
        "Chance to beat control and expected loss: normal approximation of the difference in mean return "
        "(flat prior), closed form, so the same link always gives the same numbers.",
        f"Power: positions per version to detect the minimum effect with {ab_stats.TARGET_POWER:.0%} power at "
        "the interval's level, from the observed spread (statsmodels TTestIndPower for fixed horizon; the "
        "mSPRT's rejection region for sequential).",
        "Looks: the charts recompute everything at the end of every week with closes, from running totals.",
        "Stored ROI (strategies.paper_roi / live_roi) is checked against sum(realized P&L) / sum(cost) over "
        "all closed positions of the version, whatever the page's dates.",
    ]


# --- the HTML document --------------------------------------------------------------------------
Content = Union[str, pd.DataFrame, go.Figure]

_STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:1200px;
     color:#1b1b1b;padding:0 1rem}
h1{font-size:1.8rem;margin-bottom:.2rem}
h2{font-size:1.3rem;margin-top:2rem;border-bottom:1px solid #ddd;padding-bottom:.2rem}
table{border-collapse:collapse;margin:.5rem 0;font-size:.95rem}
th,td{border:1px solid #ddd;padding:.3rem .6rem;text-align:right;white-space:nowrap}
th:first-child,td:first-child{text-align:left} th{background:#f3f5f8} p.meta{color:#555;margin:.2rem 0}
"""


def build_report(title: str, meta: Iterable[str], sections: Iterable[tuple[str, Sequence[Content]]],
                 generated_at: datetime | None = None) -> str:
    """One HTML document: a title, lines of context (parameters, link), then sections of text
    paragraphs, tables and plotly figures. plotly.js is inlined with the first figure."""
    generated_at = generated_at or datetime.now(timezone.utc)
    parts = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(title)}</title>",
             f"<style>{_STYLE}</style></head><body>", f"<h1>{html.escape(title)}</h1>"]
    parts += [f"<p class='meta'>{html.escape(line)}</p>" for line in meta]
    parts.append(f"<p class='meta'>Generated {generated_at:%Y-%m-%d %H:%M} UTC.</p>")
    plotly_js_included = False
    for heading, contents in sections:
        parts.append(f"<h2>{html.escape(heading)}</h2>")
        for content in contents:
            if isinstance(content, go.Figure):
                parts.append(content.to_html(full_html=False, include_plotlyjs=not plotly_js_included,
                                             config={"displaylogo": False}))
                plotly_js_included = True
            elif isinstance(content, pd.DataFrame):
                parts.append(content.to_html(index=False, escape=True, border=0, na_rep="—"))
            else:
                parts.append(f"<p>{html.escape(str(content))}</p>")
    parts.append("</body></html>")
    return "\n".join(parts)


ROI_COLUMNS = {"version": "Version", "mode": "Mode", "stored": "Stored ROI", "recomputed": "Recomputed ROI",
               "positions": "Closed positions", "status": "Status"}


def ab_report(strategy: str, versions: Sequence[str], trading: str, analysis: str, period: str, link: str,
              comparison: ab_stats.Comparison, table: pd.DataFrame, roi: pd.DataFrame, inference: pd.DataFrame,
              power: pd.DataFrame, matrix: pd.DataFrame, diff: pd.DataFrame, figures: dict[str, go.Figure],
              generated_at: datetime | None = None) -> str:
    """The page's comparison as one HTML document."""
    control, challengers = versions[0], list(versions[1:])
    verdicts = [f"{r.version} against {control}: {verdict_sentence(r, comparison)}"
                for r in comparison.rows.itertuples()]
    mismatches = [f"Stored {r.mode} ROI of {r.version} is {r.stored}; its closed positions give {r.recomputed}."
                  for r in roi[roi.mismatch].itertuples()]
    sections: list[tuple[str, Sequence[Content]]] = [
        ("Verdict", verdicts or [f"Only {control} was chosen: nothing to compare."]),
        ("Results per version", [table, *mismatches, roi.drop(columns="mismatch").rename(columns=ROI_COLUMNS)]),
        ("Cumulative realized P&L", [figures["pnl"]]),
        ("Return per closed position", [figures["returns"]]),
    ]
    if challengers:
        sections += [
            ("Difference against control, week by week", [figures["lift"]]),
            ("Chance to beat control, week by week", [figures["chance"]]),
            ("Tests against control", [inference, method_sentence(comparison)]),
            ("Power", [power] if not power.empty else ["Not enough data for a power analysis."]),
        ]
    sections += [("Strategy × model", [matrix]),
                 ("Config differences", [diff] if not diff.empty else ["No differences."]),
                 ("Method", method_notes(comparison))]
    meta = [f"{strategy}: {', '.join(challengers) or 'no challenger'} against control {control}",
            f"{trading.capitalize()} trading · {analysis} · {period}", f"Link: {link}"]
    return build_report(f"Strategy A/B: {strategy}", meta, sections, generated_at)
