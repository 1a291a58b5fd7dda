"""ui/charts.py: plain Plotly specs that draw what plotly.express would, and that Plotly's own
validator accepts (the pages skip it on every view; these tests do not)."""
from __future__ import annotations

import base64
import json
from datetime import date
from decimal import Decimal

import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import pytest

from tests.ab_fixtures import ab_url  # noqa: F401  (fixture)
from tests.apptest import open_page
from tests.test_ab_page import MEETING, ab_env  # noqa: F401  (fixture)
from ui import charts
from ui.charts import facet_points

LONG = pd.DataFrame({"version": ["v2", "v1", "v1", "v2", "v3"],
                     "metric": ["Brier", "Brier", "ROI", "ROI", "Win rate"],
                     "value": [0.20, 0.25, 0.05, -0.01, 0.55]})


def numbers(spec) -> list[float]:  # NaN kept, unlike tests.apptest.plotted
    """A typed array spec, of whatever dtype it names (or a plain list), back as numbers."""
    if isinstance(spec, dict):
        return [float(v) for v in np.frombuffer(base64.b64decode(spec["bdata"]), dtype="<" + spec["dtype"])]
    return [float(v) for v in spec]


def test_each_facet_is_a_panel_of_its_own_with_the_points_in_order():
    figure = facet_points(LONG, x="version", y="value", facet="metric", x_order=["v1", "v2", "v3"],
                          facet_order=["ROI", "Missing", "Brier", "Win rate"], highlight="v2", per_row=2)
    # facets in the order given, the absent one left out; each on its own pair of axes
    assert [t["name"] for t in figure.data] == ["ROI", "Brier", "Win rate"]
    assert [(t["xaxis"], t["yaxis"]) for t in figure.data] == [("x", "y"), ("x2", "y2"), ("x3", "y3")]
    brier = figure.data[1]
    assert brier["x"] == ["v1", "v2"] and brier["y"] == [0.25, 0.20]
    assert brier["marker"]["symbol"] == ["circle", "diamond"]  # the highlighted version stands out
    assert brier["marker"]["color"][0] != brier["marker"]["color"][1]
    # a 2-wide grid: two rows, panels side by side without overlapping, titles over each
    layout = figure.layout
    assert layout["height"] == 2 * 210 + 40
    assert layout["xaxis"]["domain"][1] < layout["xaxis2"]["domain"][0]
    assert layout["xaxis3"]["domain"] == layout["xaxis"]["domain"]
    assert layout["yaxis3"]["domain"][1] < layout["yaxis"]["domain"][0]
    assert [a["text"] for a in layout["annotations"]] == ["ROI", "Brier", "Win rate"]
    # each panel keeps its own scale (no matched y axes)
    assert "matches" not in layout["yaxis2"]


def test_a_version_keeps_its_colour_across_panels():
    figure = facet_points(LONG, x="version", y="value", facet="metric", x_order=["v1", "v2", "v3"],
                          facet_order=["Brier", "ROI", "Win rate"])
    per_panel = [(x, c) for t in figure.data for x, c in zip(t["x"], t["marker"]["color"])]
    colour = dict(per_panel)
    assert all(colour[x] == c for x, c in per_panel)
    assert len(set(colour.values())) == 3


def test_weekly_lines_are_marked_only_while_their_points_can_be_told_apart():
    from ui.ab_report import chance_figure, lift_figure

    def looks(weeks: int) -> pd.DataFrame:
        days = pd.date_range("2020-01-06", periods=weeks, freq="7D")
        return pd.DataFrame({"look_at": days, "version": "v2", "estimate": 0.01, "low": -0.01, "high": 0.03,
                             "chance_to_beat": 0.6})

    for weeks, mode in ((13, "lines+markers"), (60, "lines+markers"), (61, "lines"), (520, "lines")):
        lines = [t for t in lift_figure(looks(weeks), ["v1", "v2"], 0.95).data if t.get("fill") != "toself"]
        lines += chance_figure(looks(weeks), ["v1", "v2"]).data
        assert [t["mode"] for t in lines] == [mode, mode]


# --- values: columns as plotly.js reads them ---------------------------------------------------------
def test_numbers_travel_as_float64_with_nan_for_missing():
    spec = charts.values(pd.Series([1, 2, None], dtype="Int64"))
    assert spec["dtype"] == "f8"
    assert numbers(spec)[:2] == [1.0, 2.0] and np.isnan(numbers(spec)[2])
    assert numbers(charts.values(pd.Series([Decimal("0.5"), Decimal("1.25")]))) == [0.5, 1.25]
    grid = charts.table(pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 4.0]}), ["a", "b"])
    assert grid["shape"] == "2, 2" and numbers(grid) == [1.0, 3.0, 2.0, 4.0]  # row by row


def test_days_and_times_travel_as_iso_text_in_utc():
    assert charts.values(pd.Series(pd.to_datetime(["2026-01-01", "2026-01-02 10:00:01"], format="ISO8601"))) == \
        ["2026-01-01", "2026-01-02T10:00:01"]
    # two rows of one second stay apart (to the millisecond plotly.js keeps)
    assert charts.values(pd.Series(pd.to_datetime(["2026-01-02 10:00:00.900", "2026-01-02 10:00:00.100"]))) == \
        ["2026-01-02T10:00:00.900", "2026-01-02T10:00:00.100"]
    assert charts.values(pd.DatetimeIndex(["2026-01-01 12:00"], tz="Europe/Berlin")) == ["2026-01-01T11:00:00"]
    assert charts.values([pd.Timestamp("2026-01-01 12:00", tz="Europe/Berlin"), None]) == ["2026-01-01T11:00:00", None]
    assert charts.values(pd.Series([date(2026, 3, 1), None])) == ["2026-03-01", None]
    assert charts.values(["a", None, float("nan")]) == ["a", None, None]


# --- the px shapes --------------------------------------------------------------------------------------
SALES = pd.DataFrame({"day": pd.to_datetime(["2026-01-01", "2026-01-02", "2026-01-01", "2026-01-02", "2026-01-03"]),
                      "total": [1.0, 3.0, 2.0, 5.0, 4.0], "trades": [4, 5, 6, 7, 8],
                      "mode": ["paper", "paper", "live", "live", "other"]})
LABELS = {"day": "Day", "total": "Total ($)", "mode": "Mode", "trades": "Trades"}


def _same_as_px(ours: charts.Chart, theirs: go.Figure, *trace_keys: str):
    """Ours draws what px drew: the traces in order with the same names, colours, points and hover
    text; the same axis and legend titles."""
    theirs = json.loads(theirs.to_json())
    assert len(ours.data) == len(theirs["data"])
    for mine, px_trace in zip(ours.data, theirs["data"]):
        for key in ("type", "name", "mode", "hovertemplate", "orientation", *trace_keys):
            assert mine.get(key) == px_trace.get(key), key
        for axis in ("x", "y"):
            if isinstance(px_trace[axis], dict) or isinstance(px_trace[axis][0], (int, float)):
                assert numbers(mine[axis]) == numbers(px_trace[axis])
            elif isinstance(px_trace[axis][0], str) and px_trace[axis][0][:4].isdigit():  # the same instants
                assert [pd.Timestamp(v) for v in mine[axis]] == [pd.Timestamp(v) for v in px_trace[axis]]
            else:
                assert mine[axis] == px_trace[axis]
    for axis in ("xaxis", "yaxis"):
        assert ours.layout[axis]["title"] == theirs["layout"][axis]["title"]
    assert ours.layout["legend"].get("title") == theirs["layout"]["legend"].get("title")


def test_lines_draw_what_px_line_drew():
    colours = {"live": "#1f77b4"}
    ours = charts.lines(SALES, x="day", y="total", color="mode", labels=LABELS, colors=colours, markers=True,
                        hover={"trades": True, "total": ":.2f"})
    theirs = px.line(SALES, x="day", y="total", color="mode", labels=LABELS, color_discrete_map=colours,
                     markers=True, hover_data={"trades": True, "total": ":.2f"})
    _same_as_px(ours, theirs, "line", "legendgroup", "showlegend")
    assert [numbers(t["customdata"]) for t in ours.data] == [[4.0, 5.0], [6.0, 7.0], [8.0]]


def test_bars_draw_what_px_bar_drew():
    ours = charts.bars(SALES, x="day", y="total", color="mode", labels=LABELS, hover={"day": False, "trades": True},
                       order=["live", "other"])
    theirs = px.bar(SALES, x="day", y="total", color="mode", labels=LABELS, hover_data={"day": False, "trades": True},
                    category_orders={"mode": ["live", "other"]})
    _same_as_px(ours, theirs, "marker", "offsetgroup", "showlegend")
    assert ours.layout["barmode"] == theirs.layout.barmode == "relative"
    sideways = charts.bars(SALES, x="total", y="mode", horizontal=True, labels=LABELS)
    _same_as_px(sideways, px.bar(SALES, x="total", y="mode", orientation="h", labels=LABELS), "marker")


def test_rows_without_a_colour_are_left_out_as_px_leaves_them():
    frame = SALES.assign(mode=["paper", None, "live", "live", None])
    ours = charts.bars(frame, x="day", y="total", color="mode", labels=LABELS)
    _same_as_px(ours, px.bar(frame, x="day", y="total", color="mode", labels=LABELS), "marker")
    assert [t["name"] for t in ours.data] == ["paper", "live"]


def test_hover_columns_may_be_text():
    chart = charts.bars(SALES, x="day", y="total", hover={"mode": True}, labels=LABELS)
    assert chart.data[0]["customdata"] == [["paper"], ["paper"], ["live"], ["live"], ["other"]]
    assert chart.data[0]["hovertemplate"].endswith("Mode=%{customdata[0]}<extra></extra>")


def test_a_chart_survives_pickling_as_st_cache_data_does():
    import copy
    import pickle

    chart = charts.lines(SALES, x="day", y="total", color="mode", labels=LABELS)
    assert pickle.loads(pickle.dumps(chart)).to_dict() == chart.to_dict()
    assert copy.deepcopy(chart).to_dict() == chart.to_dict()


def test_areas_draw_what_px_area_drew():
    ours = charts.areas(SALES, x="day", y="total", color="mode", labels=LABELS, title="Totals")
    theirs = px.area(SALES, x="day", y="total", color="mode", labels=LABELS, title="Totals")
    _same_as_px(ours, theirs, "line", "stackgroup", "fillpattern")
    assert ours.layout["title"] == {"text": "Totals"}


def test_layout_settings_merge_into_the_px_layout():
    chart = charts.lines(SALES, x="day", y="total", labels=LABELS, yaxis=dict(type="log"), height=300)
    assert chart.layout["yaxis"] == {"anchor": "x", "domain": [0.0, 1.0], "title": {"text": "Total ($)"}, "type": "log"}
    assert chart.layout["height"] == 300 and chart.layout["template"] == charts.default_template()


def test_subplot_grid_lays_out_what_make_subplots_did():
    from plotly.subplots import make_subplots

    for rows, cols, titles, spacing in ((1, 2, ["a", "b"], 0.0), (2, 3, ["a", "b", "c", "d"], 0.12)):
        theirs = make_subplots(rows=rows, cols=cols, shared_yaxes=True, horizontal_spacing=0.05,
                               vertical_spacing=spacing, subplot_titles=titles).to_dict()["layout"]
        theirs.pop("template")
        ours = charts.subplot_grid(rows, cols, titles=titles, horizontal_spacing=0.05, vertical_spacing=spacing,
                                   shared_y=True)
        assert rounded(ours) == rounded(theirs)


def rounded(value):
    """The value with every float rounded to 9 places (domains computed in another order differ in the last bit)."""
    if isinstance(value, dict):
        return {key: rounded(v) for key, v in value.items()}
    if isinstance(value, list):
        return [rounded(v) for v in value]
    return round(value, 9) if isinstance(value, float) else value


def test_streamlit_draws_the_spec_as_built():
    chart = charts.lines(SALES, x="day", y="total", color="mode", labels=LABELS)
    import plotly.io as pio
    import plotly.tools

    as_sent = plotly.tools.return_figure_from_figure_or_data(chart, validate_figure=True)  # what st.plotly_chart does
    assert as_sent is chart.to_dict()
    assert json.loads(pio.to_json(as_sent, validate=False)) == json.loads(json.dumps(chart.to_dict()))
    assert "<div" in chart.to_html(full_html=False, include_plotlyjs=False)  # the A/B report's way


# --- every chart the pages draw is a figure Plotly's validator accepts -------------------------------
PAGES_WITH_CHARTS = [("overview", {}), ("edges", {"decay_window": "all"}), ("exits", {}),
                     ("exits", {"tab": "Exit regret"}), ("exits", {"tab": "One position", "position": "1"}),
                     ("alerts", {"tab": "Response metrics"}), ("alerts", {"tab": "Response metrics", "metrics": "all"}),
                     ("models", {}), ("models", {"tab": "Calibration"}), ("models", {"tab": "Training runs"})]


@pytest.mark.parametrize("page, params", PAGES_WITH_CHARTS)
def test_every_chart_on_the_pages_passes_plotlys_validation(app_env, page, params):
    at = open_page(page, **params)
    assert not at.exception
    specs = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    assert specs, "the page drew no chart"
    for spec in specs:
        go.Figure(spec)  # raises on an unknown property or a value of the wrong type


def test_the_ab_charts_pass_plotlys_validation(ab_env):  # noqa: F811
    at = open_page("ab_tests", **MEETING, segments="true")  # the verdict by segment opens on demand
    assert not at.exception
    specs = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    assert len(specs) == 5  # four charts and the verdict by segment
    for spec in specs:
        go.Figure(spec)
