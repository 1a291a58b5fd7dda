"""The A/B comparison as charts, and as one self-contained HTML document for a meeting's minutes.

The same figure functions draw the page and the report, so both show the same thing; the words and
tables come from analytics/report.py. The report inlines plotly.js once (no CDN: it opens offline,
years later) and escapes every piece of text, database text included.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Iterable, Sequence, Union

import pandas as pd
import plotly.graph_objects as go

from analytics import ab_stats
from analytics.report import ROI_COLUMNS, method_notes, method_sentence, verdict_sentence
from ui import text
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
    traces = [dict(type="scatter", x=values(rows.day), y=values(rows.cumulative_pnl), name=text.chart(version), mode="lines",
                   line=dict(color=colour, width=3, shape="hv"))
              for version, rows, colour in _each(daily, versions)]
    return Chart(traces, _layout("Realized P&L", y_format="$,.0f"))


def returns_histogram_figure(histogram: pd.DataFrame, versions: Sequence[str]) -> Chart:
    """histogram: version, bin_low, bin_high, positions. Share of each version's positions per bin
    (versions differ in size), overlaid on shared bins."""
    traces = [dict(type="bar", x=values((rows.bin_low + rows.bin_high) / 2), y=values(rows.positions / rows.positions.sum()),
                   width=values((rows.bin_high - rows.bin_low) * 0.95), name=text.chart(version), marker=dict(color=colour),
                   opacity=0.6, customdata=values(rows.positions),
                   hovertemplate="%{x:.1%}: %{y:.1%} of positions (%{customdata})<extra>%{fullData.name}</extra>")
              for version, rows, colour in _each(histogram, versions)]
    return Chart(traces, _layout("Share of positions", "Return per closed position", y_format=".0%",
                                 barmode="overlay", hovermode="closest", xaxis=dict(tickformat=".0%")))


def lift_figure(lift: pd.DataFrame, versions: Sequence[str], level: float) -> Chart:
    """lift: look_at, version, estimate, low, high (Comparison.looks). The difference in mean return
    against the control with its interval band, per challenger."""
    traces = []
    for version, rows, colour in _each(lift, versions):
        traces.append(dict(type="scatter", x=values(pd.concat([rows.look_at, rows.look_at[::-1]])),
                           y=values(pd.concat([rows.high, rows.low[::-1]])), fill="toself", fillcolor=colour,
                           opacity=0.18, line=dict(width=0), hoverinfo="skip", showlegend=False))
        traces.append(dict(type="scatter", x=values(rows.look_at), y=values(rows.estimate), name=text.chart(f"{version} − control"),
                           mode=line_mode(len(rows)), line=dict(color=colour, width=3), marker=dict(size=5),
                           customdata=table(rows, ["low", "high"]),
                           hovertemplate="%{y:+.2%} (%{customdata[0]:+.2%} to %{customdata[1]:+.2%})"))
    return Chart(traces, _layout(f"Difference ({level:.1%} interval)", "Weekly look", y_format="+.0%"))


def chance_figure(lift: pd.DataFrame, versions: Sequence[str]) -> Chart:
    """Chance to beat the control (normal approximation) at every weekly look."""
    traces = [dict(type="scatter", x=values(rows.look_at), y=values(rows.chance_to_beat), name=text.chart(version),
                   mode=line_mode(len(rows)), line=dict(color=colour, width=3), marker=dict(size=5),
                   hovertemplate="%{y:.0%}")
              for version, rows, colour in _each(lift, versions)]
    even = dict(type="line", xref="paper", x0=0, x1=1, y0=0.5, y1=0.5, line=dict(color="#888", dash="dot"))
    return Chart(traces, _layout("Chance to beat control", "Weekly look", y_format=".0%",
                                 shapes=[even], yaxis=dict(range=[0, 1])))


CHANCE_CAPTION = ("At every completed weekly look: a description of the data so far, not a stopping rule. Stopping "
                  "the first time it crosses 95% finds a 'winner' in many A/A tests; the verdict above is the test "
                  "that may be stopped on.")


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
    # Text, tables and figure labels hold database text: each passes through ui.text's function for
    # its sink (html_text, cells, and ui.charts' chart text), so none of it is markup here either.
    parts = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{text.html_text(title)}</title>",
             f"<style>{_STYLE}</style></head><body>", f"<h1>{text.html_text(title)}</h1>"]
    parts += [f"<p class='meta'>{text.html_text(line)}</p>" for line in meta]
    parts.append(f"<p class='meta'>Generated {generated_at:%Y-%m-%d %H:%M} UTC.</p>")
    plotly_js_included = False
    for heading, contents in sections:
        parts.append(f"<h2>{text.html_text(heading)}</h2>")
        for content in contents:
            if isinstance(content, go.Figure):
                parts.append(content.to_html(full_html=False, include_plotlyjs=not plotly_js_included,
                                             config={"displaylogo": False}))
                plotly_js_included = True
            elif isinstance(content, pd.DataFrame):
                parts.append(text.cells(content).to_html(index=False, escape=True, border=0, na_rep="—"))
            else:
                parts.append(f"<p>{text.html_text(content)}</p>")
    parts.append("</body></html>")
    return "\n".join(parts)


def ab_report(strategy: str, versions: Sequence[str], trading: str, analysis: str, period: str, link: str,
              comparison: ab_stats.Comparison, table: pd.DataFrame, roi: pd.DataFrame, inference: pd.DataFrame,
              power: pd.DataFrame, matrix: pd.DataFrame, diff: pd.DataFrame, figures: dict[str, go.Figure],
              generated_at: datetime | None = None, checks: Sequence[str] = (),
              sensitivity: pd.DataFrame | None = None,
              segments: tuple[pd.DataFrame, str] | None = None) -> str:
    """The page's comparison as one HTML document. checks: the sentences the page puts above the
    verdicts (date range, sample ratio, confounding, influential positions); segments: the verdict
    by segment (analytics/ab_segments.table) and the sentence that defines it."""
    control, challengers = versions[0], list(versions[1:])
    verdicts = [*checks] + [f"{r.version} against {control}: {verdict_sentence(r, comparison)}"
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
            ("Chance to beat control, week by week", [figures["chance"], CHANCE_CAPTION]),
            ("Tests against control", [inference, method_sentence(comparison)]),
            ("Sensitivity of the difference in mean return",
             [sensitivity] if sensitivity is not None and not sensitivity.empty else ["No mean-return test to check."]),
            ("Power", [power] if not power.empty else ["Not enough data for a power analysis."]),
        ]
        if segments is not None and not segments[0].empty:
            sections.insert(3, ("Where each version wins", [segments[1], segments[0]]))
    sections += [("Strategy × model", [matrix]),
                 ("Config differences", [diff] if not diff.empty else ["No differences."]),
                 ("Method", method_notes(comparison))]
    meta = [f"{strategy}: {', '.join(challengers) or 'no challenger'} against control {control}",
            f"{trading.capitalize()} trading · {analysis} · {period}", f"Link: {link}"]
    return build_report(f"Strategy A/B: {strategy}", meta, sections, generated_at)


def segments_figure(rows: pd.DataFrame, versions: Sequence[str], level: float) -> Chart | None:
    """rows: ab_stats.SegmentComparison.rows. Each tested segment's difference in mean return with its
    interval (a horizontal bar per challenger, in the version's colour), a line at zero: where a
    version wins is where its bar lies wholly right of zero. None when no segment has a test."""
    tested = rows[rows.note.isna()]
    if tested.empty:
        return None
    labels = [text.chart(f"{key[0]}: {key[1]}") for key in tested.key]
    order = list(dict.fromkeys(labels))
    traces = []
    for version, colour in colours(versions).items():
        mine = tested.version == version
        if not mine.any():
            continue
        part = tested[mine]
        traces.append(dict(
            type="scatter", mode="markers", name=text.chart(f"{version} − control"),
            x=values(part.estimate), y=[label for label, m in zip(labels, mine) if m],
            marker=dict(color=colour, size=10),
            error_x=dict(type="data", symmetric=False, array=values(part.high - part.estimate),
                         arrayminus=values(part.estimate - part.low), thickness=2, width=6, color=colour),
            customdata=table(part, ["low", "high", "positions", "control_positions"]),
            hovertemplate=("%{y}: %{x:+.2%} (%{customdata[0]:+.2%} to %{customdata[1]:+.2%}), "
                           "%{customdata[2]} and %{customdata[3]} positions<extra>%{fullData.name}</extra>")))
    zero = dict(type="line", yref="paper", y0=0, y1=1, x0=0, x1=0, line=dict(color="#888", dash="dot"))
    return Chart(traces, _layout("", f"Difference in mean return ({level:.2%} interval)", hovermode="closest",
                                 height=max(220, 60 + 34 * len(order)), shapes=[zero],
                                 xaxis=dict(tickformat="+.0%", zeroline=False),
                                 yaxis=dict(type="category", categoryorder="array", categoryarray=order[::-1],
                                            autorange=True, zeroline=False)))
