"""ui/charts.py: the hand-built facet figure says what plotly.express's would."""
from __future__ import annotations

import pandas as pd

from ui.charts import facet_points

LONG = pd.DataFrame({"version": ["v2", "v1", "v1", "v2", "v3"],
                     "metric": ["Brier", "Brier", "ROI", "ROI", "Win rate"],
                     "value": [0.20, 0.25, 0.05, -0.01, 0.55]})


def test_each_facet_is_a_panel_of_its_own_with_the_points_in_order():
    figure = facet_points(LONG, x="version", y="value", facet="metric", x_order=["v1", "v2", "v3"],
                          facet_order=["ROI", "Missing", "Brier", "Win rate"], highlight="v2", per_row=2)
    # facets in the order given, the absent one left out; each on its own pair of axes
    assert [t.name for t in figure.data] == ["ROI", "Brier", "Win rate"]
    assert [(t.xaxis, t.yaxis) for t in figure.data] == [("x", "y"), ("x2", "y2"), ("x3", "y3")]
    brier = figure.data[1]
    assert list(brier.x) == ["v1", "v2"] and list(brier.y) == [0.25, 0.20]
    assert list(brier.marker.symbol) == ["circle", "diamond"]  # the highlighted version stands out
    assert brier.marker.color[0] != brier.marker.color[1]
    # a 2-wide grid: two rows, panels side by side without overlapping, titles over each
    layout = figure.layout
    assert layout.height == 2 * 210 + 40
    assert layout.xaxis.domain[1] < layout.xaxis2.domain[0]
    assert layout.xaxis3.domain == layout.xaxis.domain and layout.yaxis3.domain[1] < layout.yaxis.domain[0]
    assert [a.text for a in layout.annotations] == ["ROI", "Brier", "Win rate"]
    # each panel keeps its own scale (no matched y axes)
    assert layout.yaxis2.matches is None


def test_a_version_keeps_its_colour_across_panels():
    figure = facet_points(LONG, x="version", y="value", facet="metric", x_order=["v1", "v2", "v3"],
                          facet_order=["Brier", "ROI", "Win rate"])
    colour = {x: c for t in figure.data for x, c in zip(t.x, t.marker.color)}
    per_panel = [(x, c) for t in figure.data for x, c in zip(t.x, t.marker.color)]
    assert all(colour[x] == c for x, c in per_panel)
    assert len(set(colour.values())) == 3


def test_weekly_lines_are_marked_only_while_their_points_can_be_told_apart():
    from analytics.report import chance_figure, lift_figure

    def looks(weeks: int) -> pd.DataFrame:
        days = pd.date_range("2020-01-06", periods=weeks, freq="7D")
        return pd.DataFrame({"look_at": days, "version": "v2", "estimate": 0.01, "low": -0.01, "high": 0.03,
                             "chance_to_beat": 0.6})

    for weeks, mode in ((13, "lines+markers"), (60, "lines+markers"), (61, "lines"), (520, "lines")):
        lines = [t for t in lift_figure(looks(weeks), ["v1", "v2"], 0.95).data if t.fill != "toself"]
        lines += list(chance_figure(looks(weeks), ["v1", "v2"]).data)
        assert [t.mode for t in lines] == [mode, mode]
