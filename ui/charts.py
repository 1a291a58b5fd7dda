"""The dashboard's figures as plain Plotly specs, and the one figure class that draws them.

Why not plotly.express or go.Figure: both build Plotly's object model, which validates every
property as it is set and deep-copies the whole figure again when Streamlit asks for it
(`to_dict`), before Streamlit turns it into JSON. For figures whose shape is fixed in code that is
all overhead: at ten years of data it was 30-95 ms of a page's 100-230 ms script (plotly.express
64 ms for the edges page's three charts, 94 for the alerts metrics'; A/B's four figures 36), on
every view. `Chart` holds the spec plotly.js reads, and tests/test_charts.py passes every spec the
pages draw through go.Figure, which would refuse an unknown or ill-typed property.

`lines`, `bars` and `areas` draw what the plotly.express call of the same shape drew (a trace per
colour group, px's colours, labels and hover text), so the pages look as before.

Text is data: plotly.js reads a subset of HTML in every title, legend entry, tick label and hover
text, so every piece of text these functions put in a figure (values of text columns, group
names, labels, titles) passes through ui.text.chart once, here. A caller that builds a spec by hand
passes its text through `text.chart` itself (or through `values`).
"""
from __future__ import annotations

import base64
import functools
import math
from decimal import Decimal
from typing import Any, Collection, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import qualitative

from ui import text

COLORS = qualitative.Plotly  # plotly.express's default sequence, so colours match the other charts
# A marker per point helps read a line of a few months of weekly points; over years (520 weeks)
# the markers only blot the line out, and each is one more shape for the browser to draw.
MOST_MARKED_POINTS = 60


@functools.cache
def default_template() -> dict:
    """The template go.Figure puts in every figure's layout (pio.templates.default), as plain data."""
    return go.Figure().to_dict()["layout"]["template"]


class Chart(go.Figure):
    """A figure kept as the spec plotly.js reads: {"data": [trace, ...], "layout": {...}} of
    lists, numbers, strings and typed arrays (`values`).

    Streamlit's st.plotly_chart and plotly's to_html take any go.Figure and ask it for
    `to_dict()`; here that is the spec as built, with go.Figure's default template, so the page
    and the downloadable report draw exactly it. go.Figure's own constructor is skipped on purpose
    (the module docstring says why); `data` and `layout` are the spec's lists and dicts, not
    Plotly's objects.
    """

    def __init__(self, data: Sequence[Mapping[str, Any]], layout: Mapping[str, Any]):  # noqa: D107
        # No super().__init__(): that is the validation and copying this class exists to avoid.
        spec = {"data": [dict(trace) for trace in data], "layout": {"template": default_template(), **layout}}
        object.__setattr__(self, "_spec", spec)

    def to_dict(self) -> dict:
        return self._spec

    def to_plotly_json(self) -> dict:
        return self._spec

    def __reduce__(self):  # pickling and deep copies (st.cache_data) rebuild it from its spec
        return Chart, (self._spec["data"], {k: v for k, v in self._spec["layout"].items() if k != "template"})

    @property
    def data(self) -> list[dict]:
        return self._spec["data"]

    @property
    def layout(self) -> dict:
        return self._spec["layout"]

    def __repr__(self) -> str:
        return f"Chart({len(self.data)} traces)"


def values(column: Iterable) -> Any:
    """A column as plotly.js reads it: numbers as a typed array (base64 float64, one string to
    encode instead of a number per point; NaN for missing), dates and times as ISO text, anything
    else as a list."""
    if isinstance(column, pd.Series):
        series = column
    elif isinstance(column, pd.Index):
        series = column.to_series(index=None)
    else:
        series = pd.Series(list(column) if not isinstance(column, np.ndarray) else column)
    kind = series.dtype.kind
    if kind == "O" and len(series) and isinstance(series.dropna().iloc[0] if series.notna().any() else None, Decimal):
        series, kind = series.astype("float64"), "f"  # money and probabilities arrive as numeric
    if kind in "iuf":
        array = np.ascontiguousarray(series.to_numpy(dtype="float64", na_value=np.nan), dtype="<f8")
        return {"dtype": "f8", "bdata": base64.b64encode(array.tobytes()).decode("ascii")}
    if kind == "M":
        stamps = series.dt.tz_convert("UTC").dt.tz_localize(None) if series.dt.tz is not None else series
        # Milliseconds, what plotly.js keeps: two rows of the same second stay apart on a time axis.
        iso = np.datetime_as_string(stamps.to_numpy(dtype="datetime64[ns]"), unit="ms")
        return [None if t == "NaT" else t.removesuffix(".000").removesuffix("T00:00:00") for t in iso.tolist()]
    return [None if (isinstance(v, float) and math.isnan(v)) or v is pd.NaT or v is None else
            v.isoformat() if hasattr(v, "isoformat") else text.chart(v) if isinstance(v, str) else v
            for v in series.tolist()]


def table(frame: pd.DataFrame, columns: Sequence[str]) -> dict | list:
    """Several columns as customdata, one row per point: numbers as one 2-D typed array (rows x
    columns), anything else as lists of plain values."""
    chosen = frame[list(columns)]
    if not all(dtype.kind in "iufb" for dtype in chosen.dtypes):
        return [[None if pd.isna(v) else text.chart(v) if isinstance(v, str) else v for v in row]
                for row in chosen.astype(object).itertuples(index=False)]
    array = np.ascontiguousarray(chosen.to_numpy(dtype="float64", na_value=np.nan), dtype="<f8")
    return {"dtype": "f8", "bdata": base64.b64encode(array.tobytes()).decode("ascii"),
            "shape": f"{array.shape[0]}, {array.shape[1]}"}


def line_mode(points: int) -> str:
    """Plotly's scatter mode for a line of `points` points: markers only where they can be told apart."""
    return "lines+markers" if points <= MOST_MARKED_POINTS else "lines"


# --- plotly.express's shapes, as specs -------------------------------------------------------------
def _groups(frame: pd.DataFrame, color: str | None, colors: Mapping | None, order: Sequence = ()):
    """(value, its rows, its colour) per value of `color`, those in `order` first (px's
    category_orders) and then in order of first appearance, coloured as plotly.express colours
    them: the given map first, then its default sequence."""
    # px's default: the template's colour sequence (Streamlit's template, once streamlit is imported:
    # placeholders its front end draws in the theme's colours), else Plotly's own.
    sequence = default_template().get("layout", {}).get("colorway") or COLORS
    if color is None:
        yield None, frame, sequence[0]
        return
    assigned = dict(colors or {})
    keys = frame[color]
    present = list(pd.unique(keys))
    for value in [v for v in order if v in present] + [v for v in present if v not in order]:
        missing = pd.isna(value)
        if missing:
            value = None  # px gives rows without a colour a colour of the sequence, and draws none of them
        if value not in assigned:
            assigned[value] = sequence[len(assigned) % len(sequence)]
        if not missing:
            yield value, frame[keys == value], assigned[value]


def _hover(labels: Mapping[str, str], x: str, y: str, color: str | None, value,
           hover: Mapping[str, Any]) -> tuple[str, list[str]]:
    """plotly.express's hover text: 'Colour=value<br>X label=%{x}<br>Y label=%{y}<br>extra=...'
    and the columns it reads from customdata. `hover` is px's hover_data: a column's d3 format
    (":.4f"), True, or False to leave out x or y."""
    label = lambda column: text.chart(labels.get(column, column))  # noqa: E731
    lines = [] if color is None else [f"{label(color)}={text.chart(value)}"]
    for axis, letter in ((x, "x"), (y, "y")):
        shown = hover.get(axis, True)
        if shown is not False:
            lines.append(f"{label(axis)}=%{{{letter}{shown if isinstance(shown, str) else ''}}}")
    extra = [name for name, shown in hover.items() if shown is not False and name not in (x, y)]
    for i, name in enumerate(extra):
        spec = hover[name]
        lines.append(f"{label(name)}=%{{customdata[{i}]{spec if isinstance(spec, str) else ''}}}")
    return "<br>".join(lines) + "<extra></extra>", extra


def _layout(labels: Mapping[str, str], x: str, y: str, color: str | None, title: str | None, **layout) -> dict:
    """px's layout (axis and legend titles from the labels), with `layout` merged in: a dict into
    px's dict of the same name (as update_layout does), anything else set."""
    base = {"xaxis": {"anchor": "y", "domain": [0.0, 1.0], "title": {"text": text.chart(labels.get(x, x))}},
            "yaxis": {"anchor": "x", "domain": [0.0, 1.0], "title": {"text": text.chart(labels.get(y, y))}},
            "legend": {**({"title": {"text": text.chart(labels.get(color, color))}} if color else {}),
                       "tracegroupgap": 0},
            "margin": {"t": 60}}
    if title:
        base["title"] = {"text": text.chart(title)}
    return merged(base, layout)


def merged(layout: dict, more: Mapping[str, Any]) -> dict:
    """`layout` updated with `more` as update_layout would: a dict merged into the dict of the same
    name, anything else set."""
    return {**layout, **{key: {**layout[key], **value} if isinstance(value, dict) and isinstance(layout.get(key), dict)
                         else value for key, value in more.items()}}


def lines(frame: pd.DataFrame, *, x: str, y: str, color: str | None = None, labels: Mapping[str, str] = {},
          colors: Mapping | None = None, markers: bool = False, hover: Mapping[str, Any] = {},
          title: str | None = None, **layout) -> Chart:
    """px.line(frame, x, y, color, labels, color_discrete_map, markers, hover_data, title), then
    its layout updated with `layout`."""
    traces = []
    for value, rows, colour in _groups(frame, color, colors):
        template, extra = _hover(labels, x, y, color, value, hover)
        trace = {"type": "scatter", "x": values(rows[x]), "y": values(rows[y]), "mode": "lines+markers" if markers else "lines",
                 "name": "" if value is None else text.chart(value), "legendgroup": "" if value is None else text.chart(value),
                 "line": {"color": colour, "dash": "solid"}, "marker": {"symbol": "circle"},
                 "orientation": "v", "showlegend": color is not None, "xaxis": "x", "yaxis": "y",
                 "hovertemplate": template}
        if extra:
            trace["customdata"] = table(rows, extra)
        traces.append(trace)
    return Chart(traces, _layout(labels, x, y, color, title, **layout))


def areas(frame: pd.DataFrame, *, x: str, y: str, color: str, labels: Mapping[str, str] = {},
          colors: Mapping | None = None, title: str | None = None, **layout) -> Chart:
    """px.area: one stacked, filled line per colour group."""
    traces = []
    for value, rows, colour in _groups(frame, color, colors):
        template, _ = _hover(labels, x, y, color, value, {})
        traces.append({"type": "scatter", "x": values(rows[x]), "y": values(rows[y]), "mode": "lines",
                       "name": text.chart(value), "legendgroup": text.chart(value), "line": {"color": colour},
                       "marker": {"symbol": "circle"}, "fillpattern": {"shape": ""}, "stackgroup": "1", "orientation": "v", "showlegend": True,
                       "xaxis": "x", "yaxis": "y", "hovertemplate": template})
    return Chart(traces, _layout(labels, x, y, color, title, **layout))


def bars(frame: pd.DataFrame, *, x: str, y: str, color: str | None = None, labels: Mapping[str, str] = {},
         colors: Mapping | None = None, hover: Mapping[str, Any] = {}, horizontal: bool = False,
         error_y: str | None = None, error_y_minus: str | None = None,
         title: str | None = None, order: Sequence = (), traces: Mapping[str, Any] = {}, **layout) -> Chart:
    """px.bar(frame, x, y, color, labels, color_discrete_map, hover_data, orientation, error_y,
    error_y_minus, title, category_orders={color: order}); `color` may name a column or be a
    Series (a colour per row); `traces` set on every trace (px's update_traces)."""
    if isinstance(color, pd.Series):
        frame = frame.assign(_colour=color.to_numpy())
        color = "_colour"
    drawn = []
    for value, rows, colour in _groups(frame, color, colors, order):
        shown = "" if value is None or color == "_colour" else value
        template, extra = _hover(labels, x, y, None if color == "_colour" else color, shown, hover)
        trace = {"type": "bar", "x": values(rows[x]), "y": values(rows[y]), "name": text.chart(shown),
                 "legendgroup": text.chart(shown), "marker": {"color": colour, "pattern": {"shape": ""}},
                 "orientation": "h" if horizontal else "v", "showlegend": color is not None, "textposition": "auto", "xaxis": "x", "yaxis": "y",
                 "hovertemplate": template, **traces}
        if error_y:
            trace["error_y"] = {"array": values(rows[error_y])}
            if error_y_minus:
                trace["error_y"]["arrayminus"] = values(rows[error_y_minus])
        if layout.get("barmode") == "group":  # px groups side by side by these
            trace.update(alignmentgroup="True", offsetgroup=text.chart(shown))
        if extra:
            trace["customdata"] = table(rows, extra)
        drawn.append(trace)
    spec = _layout(labels, x, y, None if color == "_colour" else color, title, **{"barmode": "relative", **layout})
    categories = frame[y if horizontal else x]
    if categories.dtype == object and categories.map(lambda v: isinstance(v, str) and len(v) > LONGEST_TICK).any():
        axis = "yaxis" if horizontal else "xaxis"
        spec[axis] = {**spec[axis], **short_ticks(pd.unique(categories))}
    return Chart(drawn, spec)


# A category's tick label is cut to this many characters (the whole name stays in the hover): one
# alert type of 200 characters, tilted under the axis, left the plot about 50 pixels of height.
LONGEST_TICK = 32


def short_ticks(categories: Iterable) -> dict:
    """An axis' tick settings that show each text category cut to LONGEST_TICK characters ("…")."""
    shown = [v for v in categories if isinstance(v, str)]
    return {"tickmode": "array", "tickvals": [text.chart(v) for v in shown],
            "ticktext": [text.chart(v if len(v) <= LONGEST_TICK else v[:LONGEST_TICK - 1] + "…") for v in shown]}


def facet_points(frame: pd.DataFrame, *, x: str, y: str, facet: str, x_order: list[str], facet_order: list[str],
                 highlight: str | None = None, per_row: int = 4, panel_height: int = 210,
                 percent: Collection[str] = (), colors: Mapping | None = None) -> Chart:
    """One small panel per value of `facet` (in facet_order, those present), each with its own y
    scale: a point per value of `x` (coloured by its place in x_order), `highlight` drawn as a
    larger diamond; the panels named in `percent` show their values as percentages; `colors` maps
    a value of `x` to its colour (so a value keeps its colour whatever else is chosen). The same figure
    as px.scatter(facet_col=..., facet_col_wrap=per_row) with independent y axes, built as one spec
    (px took about 190 ms for 13 panels)."""
    points_of: dict = {}  # facet -> [(place in x_order, x, y)]: one pass over the rows, not a mask per panel
    for name, at, value in zip(frame[facet], frame[x], frame[y]):
        if at in x_order:
            points_of.setdefault(name, []).append((x_order.index(at), at, float(value)))
    facets = [f for f in facet_order if f in set(frame[facet])]
    rows = max(1, math.ceil(len(facets) / per_row))
    col_gap, row_gap = 0.06, min(0.5 / rows, 0.12)
    width = (1 - (per_row - 1) * col_gap) / per_row
    height = (1 - (rows - 1) * row_gap) / rows
    layout: dict = {"height": panel_height * rows + 40, "margin": dict(l=0, r=0, t=30, b=0), "showlegend": False,
                    "annotations": []}
    traces = []
    for i, name in enumerate(facets):
        row, col = divmod(i, per_row)
        left, top = col * (width + col_gap), 1 - row * (height + row_gap)
        suffix = "" if i == 0 else str(i + 1)
        points = sorted(points_of.get(name, []), key=lambda point: point[0])
        is_highlight = [at == highlight for _, at, _ in points]
        traces.append(dict(
            type="scatter", x=[text.chart(at) for _, at, _ in points], y=[value for _, _, value in points],
            mode="markers", name=text.chart(name), xaxis=f"x{suffix}", yaxis=f"y{suffix}",
            hovertemplate=f"%{{x}}: %{{y:{'.2%' if name in percent else '.4g'}}}<extra>{text.chart(name)}</extra>",
            marker=dict(color=[(colors or {}).get(at) or COLORS[place % len(COLORS)] for place, at, _ in points],
                        symbol=["diamond" if h else "circle" for h in is_highlight],
                        size=[15 if h else 12 for h in is_highlight], line=dict(width=1, color="white"))))
        layout[f"xaxis{suffix}"] = dict(domain=[round(left, 6), round(min(left + width, 1), 6)], anchor=f"y{suffix}", type="category",
                                        categoryorder="array", categoryarray=[text.chart(v) for v in x_order])
        layout[f"yaxis{suffix}"] = dict(domain=[round(max(top - height, 0), 6), round(top, 6)], anchor=f"x{suffix}", nticks=4,
                                        **({"tickformat": ".1%"} if name in percent else {}))
        layout["annotations"].append(dict(text=text.chart(name), x=left + width / 2, y=top, xref="paper", yref="paper",
                                          xanchor="center", yanchor="bottom", showarrow=False, font=dict(size=15)))
    return Chart(traces, layout)


def subplot_grid(rows: int, cols: int, *, titles: Sequence[str] = (), horizontal_spacing: float = 0.2,
                 vertical_spacing: float = 0.3, shared_y: bool = False) -> dict:
    """make_subplots' layout: axes x, y (cell 1), x2, y2 (cell 2), ... row by row from the top, a
    title (text) over each of the first len(titles) cells, and with shared_y each row's y axes matching
    its first one's, tick labels on the first only. A trace goes in cell i with xaxis/yaxis
    'x{i}'/'y{i}' ('x'/'y' for the first)."""
    width = (1 - (cols - 1) * horizontal_spacing) / cols
    height = (1 - (rows - 1) * vertical_spacing) / rows
    layout: dict = {"annotations": []}
    for cell in range(rows * cols):
        row, col = divmod(cell, cols)
        suffix = "" if cell == 0 else str(cell + 1)
        left, top = col * (width + horizontal_spacing), 1 - row * (height + vertical_spacing)
        layout[f"xaxis{suffix}"] = {"anchor": f"y{suffix}", "domain": [left, left + width]}
        layout[f"yaxis{suffix}"] = {"anchor": f"x{suffix}", "domain": [max(top - height, 0.0), top]}
        if shared_y and col > 0:
            first = row * cols
            layout[f"yaxis{suffix}"].update(matches=f"y{'' if first == 0 else first + 1}", showticklabels=False)
        if cell < len(titles):
            layout["annotations"].append({"font": {"size": 16}, "showarrow": False, "text": text.chart(titles[cell]),
                                          "x": left + width / 2, "xanchor": "center", "xref": "paper", "y": top,
                                          "yanchor": "bottom", "yref": "paper"})
    return layout


def axis_suffix(cell: int) -> str:
    """'' for the first cell of a subplot_grid, '2' for the second, ..."""
    return "" if cell == 0 else str(cell + 1)


def horizontal_line(y: float, color: str, **line) -> dict:
    """A line across the plot at `y` (fig.add_hline's shape)."""
    return {"type": "line", "xref": "x domain", "x0": 0, "x1": 1, "yref": "y", "y0": y, "y1": y,
            "line": {"color": color, **line}}


def vertical_line(x: float, color: str, **line) -> dict:
    """A line up the plot at `x` (fig.add_vline's shape)."""
    return {"type": "line", "yref": "y domain", "y0": 0, "y1": 1, "xref": "x", "x0": x, "x1": x,
            "line": {"color": color, **line}}
