"""Trade-based metrics from the per-version sums, their formatting, and the HTML report:
self-contained (plotly.js inline, no external script), every chart in it, database text escaped."""
from __future__ import annotations

import math
import re
from datetime import date, datetime
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from analytics import ab_stats, report, trade_metrics
from ui import ab_report


def metrics_row(strategy_id, mode="live", **over):
    row = dict(strategy_id=strategy_id, execution_mode=mode, trades=17, positions_closed=7, wins=3, losses=4,
               return_sum=-0.2, return_sum_sq=0.6, realized_pnl=Decimal("-10.0000"), cost=Decimal("350.0000"),
               gross_profit=Decimal("35.0000"), gross_loss=Decimal("45.0000"), max_drawdown=Decimal("30.0000"),
               longest_losing_streak=3, avg_edge=Decimal("0.04"), clv_positions=7, avg_clv=Decimal("0.1"),
               first_closed_at=datetime(2026, 2, 2), last_closed_at=datetime(2026, 2, 8))
    row.update(over)
    return row


def test_summary_ratios():
    summary = trade_metrics.summarize(pd.DataFrame([
        metrics_row(1),
        metrics_row(2, wins=5, losses=0, gross_loss=Decimal("0"), positions_closed=5),
        metrics_row(3, wins=0, losses=0, gross_profit=Decimal("0"), gross_loss=Decimal("0")),
    ]))
    first, no_losses, nothing = summary.to_dict("records")
    assert first["win_rate"] == 3 / 7
    assert first["mean_return"] == -0.2 / 7
    assert first["roi"] == -10 / 350
    assert first["profit_factor"] == 35 / 45
    assert first["payoff_ratio"] == (35 / 3) / (45 / 4)
    assert math.isinf(no_losses["profit_factor"]) and math.isnan(no_losses["payoff_ratio"])
    assert math.isnan(nothing["profit_factor"])


def test_sharpe_and_sortino_from_daily_pnl_by_hand():
    # v1: closes on Jan 1 (+10), Jan 2 (-5) and Jan 4 (+7); Jan 3 had none and counts as 0
    daily = pd.DataFrame({"strategy_id": [1, 1, 1, 2], "day": [date(2026, 1, 1), date(2026, 1, 2), date(2026, 1, 4),
                                                               date(2026, 1, 1)],
                          "realized_pnl": [10.0, -5.0, 7.0, 3.0]})
    ratios = trade_metrics.daily_ratios(daily).set_index("strategy_id")
    x = np.array([10.0, -5.0, 0.0, 7.0])
    assert ratios.loc[1, "days"] == 4
    assert ratios.loc[1, "sharpe"] == pytest.approx(x.mean() / x.std(ddof=1) * math.sqrt(365))
    # downside deviation: root mean square of the shortfalls below 0 over all four days = sqrt(25 / 4)
    assert ratios.loc[1, "sortino"] == pytest.approx(3.0 / 2.5 * math.sqrt(365))
    assert ratios.loc[2, "days"] == 1 and math.isnan(ratios.loc[2, "sharpe"]) and math.isnan(ratios.loc[2, "sortino"])
    summary = trade_metrics.summarize(pd.DataFrame([metrics_row(1), metrics_row(2)]))
    table = trade_metrics.display_table(summary, {1: "v1.0", 2: "v1.1"}, "v1.0", [1, 2],
                                        ratios={"live": trade_metrics.daily_ratios(daily)}).set_index("Metric")
    assert table.loc["Sharpe ratio (daily P&L, ×√365)", "v1.0 · live (control)"] == \
        f"{ratios.loc[1, 'sharpe']:.2f} (4 days)"
    assert table.loc["Sortino ratio (daily P&L, ×√365)", "v1.1 · live"] == "— (1 day)"


def test_display_table_is_metrics_by_version_column_with_control_first():
    summary = trade_metrics.summarize(pd.DataFrame([
        metrics_row(2, clv_positions=0, avg_clv=None), metrics_row(1), metrics_row(1, "paper")]))
    table = trade_metrics.display_table(summary, {1: "v1.0", 2: "v1.1"}, "v1.0", [1, 2])
    assert list(table.columns) == ["Metric", "v1.0 · live (control)", "v1.0 · paper (control)", "v1.1 · live"]
    cell = table.set_index("Metric")["v1.0 · live (control)"]
    assert cell["Win rate"] == "42.9%"
    assert cell["Mean return per position"] == "-2.86%"
    assert cell["Realized P&L"] == "-$10.00"
    assert cell["Max drawdown"] == "-$30.00"
    assert cell["Longest losing streak"] == "3 positions"
    assert cell["CLV (of positions whose market closed)"] == "+10.0¢ (7 of 7)"
    assert table.set_index("Metric")["v1.1 · live"]["CLV (of positions whose market closed)"] == \
        "— (no market closed yet)"


def test_roi_check_flags_a_stale_stored_figure():
    rows = pd.DataFrame([
        dict(strategy_id=1, execution_mode="live", stored_roi=Decimal("-0.0359"), recomputed_roi=Decimal("-0.0126"),
             positions_closed=517),
        dict(strategy_id=1, execution_mode="paper", stored_roi=None, recomputed_roi=None, positions_closed=0),
        dict(strategy_id=2, execution_mode="live", stored_roi=Decimal("0.0444"), recomputed_roi=Decimal("0.0444"),
             positions_closed=200),
        dict(strategy_id=2, execution_mode="paper", stored_roi=None, recomputed_roi=Decimal("0.0567"),
             positions_closed=190)])
    check = trade_metrics.roi_check(rows, {1: "v1.0", 2: "v1.1"})
    assert check.status.tolist() == ["MISMATCH", "matches", "not stored"]
    assert check.mismatch.tolist() == [True, False, False]
    assert check.stored.iloc[0] == "-3.59%" and check.recomputed.iloc[0] == "-1.26%"


def test_strategy_model_matrix_regroups_version_results():
    results = pd.DataFrame([
        dict(strategy_version="v1.0", model_name="elo_nfl", model_version="v1.0", execution_mode="live",
             positions_closed=223, realized_pnl=Decimal("-815.13")),
        dict(strategy_version="v1.0", model_name="elo_nfl", model_version="v1.1", execution_mode="live",
             positions_closed=294, realized_pnl=Decimal("405.91")),
        dict(strategy_version="v1.1", model_name="elo_nfl", model_version="v1.1", execution_mode="live",
             positions_closed=200, realized_pnl=Decimal("501.09")),
        dict(strategy_version="v1.1", model_name="elo_nfl", model_version="v1.1", execution_mode="paper",
             positions_closed=190, realized_pnl=Decimal("581.10"))])
    matrix = trade_metrics.strategy_model_matrix(results, "live", ["v1.0", "v1.1"])
    assert matrix.to_dict("records") == [
        {"Strategy version": "v1.0", "elo_nfl v1.0": "-$815.13 · 223", "elo_nfl v1.1": "$405.91 · 294"},
        {"Strategy version": "v1.1", "elo_nfl v1.0": "", "elo_nfl v1.1": "$501.09 · 200"}]
    assert trade_metrics.strategy_model_matrix(results, "paper", ["v1.0"]).columns.tolist() == ["Strategy version"]


def comparison_and_figures():
    rng = np.random.default_rng(8)
    groups = {}
    for label, mean in (("v1.0", 0.0), ("v1.1", 0.1)):
        x = rng.normal(mean, 0.2, 80)
        groups[label] = ab_stats.Group(label, 80, float(x.sum()), float((x * x).sum()), int((x > 0).sum()),
                                       float((x ** 3).sum()))
    comparison = ab_stats.compare(groups["v1.0"], [groups["v1.1"]], sequential=True, min_effect=0.05)
    days = pd.date_range("2026-01-01", periods=5).date
    daily = pd.DataFrame({"version": ["v1.0"] * 5 + ["v1.1"] * 5, "day": list(days) * 2,
                          "cumulative_pnl": [Decimal(i) for i in range(10)]})
    histogram = pd.DataFrame({"version": ["v1.0", "v1.1"], "bin_low": [-0.1, 0.0], "bin_high": [0.0, 0.1],
                              "positions": [80, 80]})
    lift = pd.DataFrame({"look_at": pd.to_datetime(["2026-01-05", "2026-01-12"]), "version": "v1.1",
                         "estimate": [0.1, 0.09], "low": [0.0, 0.02], "high": [0.2, 0.16],
                         "chance_to_beat": [0.97, 0.99]})
    figures = {"pnl": ab_report.cumulative_pnl_figure(daily, ["v1.0", "v1.1"]),
               "returns": ab_report.returns_histogram_figure(histogram, ["v1.0", "v1.1"]),
               "lift": ab_report.lift_figure(lift, ["v1.0", "v1.1"], comparison.level),
               "chance": ab_report.chance_figure(lift, ["v1.0", "v1.1"])}
    return comparison, groups, figures


def test_the_report_is_one_self_contained_document_with_every_chart():
    comparison, groups, figures = comparison_and_figures()
    table = pd.DataFrame({"Metric": ["Win rate"], "v1.0 · live (control)": ["50.0%"]})
    roi = pd.DataFrame([{"version": "v1.0", "mode": "live", "stored": "+99.99%", "recomputed": "+1.00%",
                         "positions": 80, "status": "MISMATCH", "mismatch": True}])
    diff = pd.DataFrame({"key": ["note"], "v1.0": ['"<script>alert(1)</script>"'], "v1.1": ['"**bold**"']})
    html = ab_report.ab_report("meeting <b>", ["v1.0", "v1.1"], "live", "Sequential (look every week)",
                            "positions closed 2026-01-01 to 2026-01-31 (UTC)", "http://x/ab_tests?strategy=meeting",
                            comparison, table, roi, report.inference_table(comparison),
                            report.power_table(comparison, groups), pd.DataFrame({"Strategy version": ["v1.0"]}),
                            diff, figures, generated_at=datetime(2026, 2, 1, 9, 0),
                            checks=["Sample ratio mismatch: <b>x</b>"],
                            sensitivity=pd.DataFrame({"Version": ["v1.1"], "As measured": ["+1.00 pp (-1 to +3 pp)"]}),
                            segments=(pd.DataFrame({"Breakdown": ["Sport"], "Segment": ["<i>nba</i>"],
                                                    "Verdict (or why none)": ["better than the control"]}),
                                      "The verdict's test within each segment."))
    assert html.startswith("<!DOCTYPE html>")
    # the verdict by segment, with its definition; a segment's name is escaped as any database text
    assert "Where each version wins" in html and "test within each segment." in html
    assert "&lt;i&gt;nba&lt;/i&gt;" in html
    # plotly.js itself is inside, once; nothing is fetched from elsewhere
    assert html.count("Plotly.newPlot") == 4
    assert len(re.findall(r"<script[^>]*\bsrc=", html)) == 0
    assert len(re.findall(r"<link[^>]*\bhref=", html)) == 0
    assert len(html) > 3_000_000 and html.count("plotly.js v") >= 1
    # database text is escaped, never markup
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "meeting &lt;b&gt;" in html
    assert "Stored live ROI of v1.0 is +99.99%" in html
    assert report.verdict_sentence(comparison.rows.iloc[0], comparison) in html
    assert "Generated 2026-02-01 09:00 UTC" in html
    # the checks above the verdicts, the sensitivity table and the chance chart's warning are in it too
    assert "Sample ratio mismatch: &lt;b&gt;x&lt;/b&gt;" in html and "+1.00 pp (-1 to +3 pp)" in html
    assert "not a stopping rule" in html


def test_inference_and_power_tables_are_text_for_page_and_report():
    comparison, groups, _ = comparison_and_figures()
    inference = report.inference_table(comparison)
    assert inference.Metric.tolist() == [ab_stats.RETURN, ab_stats.WIN_RATE]
    assert inference.columns[5] == "Interval (97.5%)"
    power = report.power_table(comparison, groups)
    assert power["Positions (version / control)"].tolist() == ["80 / 80"]
    assert int(power["Needed each (sequential)"].iloc[0].replace(",", "")) > int(
        power["Needed each (fixed)"].iloc[0].replace(",", ""))
    assert report.interval_text(-0.0168, 0.0966) == "-1.68 to +9.66 pp"
    assert report.p_text(0.0004) == "< 0.001"


def test_hostile_names_are_text_in_every_part_of_the_report():
    """Strategy and version names holding markup, addresses, a right-to-left override and a zero-width
    space (tests/hostile.py) stay text in the headings, paragraphs, tables and chart labels (#25)."""
    from html.parser import HTMLParser

    from tests.hostile import CHART_FRAGMENTS, ESCAPED_IN_CHARTS, HOSTILE, hidden_characters

    control, challenger = HOSTILE + "v1.0", HOSTILE + "v1.1"
    comparison, groups, figures = comparison_and_figures()
    rename = {"v1.0": control, "v1.1": challenger}
    days = pd.date_range("2026-01-01", periods=3).date
    daily = pd.DataFrame({"version": [control] * 3 + [challenger] * 3, "day": list(days) * 2,
                          "cumulative_pnl": [Decimal(i) for i in range(6)]})
    lift = pd.DataFrame({"look_at": pd.to_datetime(["2026-01-05", "2026-01-12"]), "version": challenger,
                         "estimate": [0.1, 0.09], "low": [0.0, 0.02], "high": [0.2, 0.16], "chance_to_beat": [0.9, 0.9]})
    figures = {"pnl": ab_report.cumulative_pnl_figure(daily, [control, challenger]), "returns": figures["returns"],
               "lift": ab_report.lift_figure(lift, [control, challenger], comparison.level),
               "chance": ab_report.chance_figure(lift, [control, challenger])}
    table = pd.DataFrame({"Metric": ["Win rate"], f"{control} · live (control)": ["50.0%"]})
    roi = pd.DataFrame([{"version": challenger, "mode": "live", "stored": "+9.99%", "recomputed": "+1.00%",
                         "positions": 80, "status": "MISMATCH", "mismatch": True}])
    diff = pd.DataFrame({"key": [HOSTILE + "note"], control: ['"x"'], challenger: ['"y"']})
    html = ab_report.ab_report(HOSTILE + "strategy", [control, challenger], "live", "Sequential (look every week)",
                            "positions closed 2026-01-01 to 2026-01-31 (UTC)", "http://x/ab_tests", comparison,
                            table, roi, report.inference_table(comparison).replace(rename),
                            report.power_table(comparison, groups).replace(rename),
                            pd.DataFrame({"Strategy version": [control]}), diff, figures,
                            generated_at=datetime(2026, 2, 1, 9, 0))

    class Document(HTMLParser):
        def __init__(self):
            super().__init__()
            self.tags, self.text, self.scripts, self.in_script = [], [], [], False

        def handle_starttag(self, tag, attrs):
            self.tags.append(tag)
            self.in_script = tag == "script"

        def handle_endtag(self, tag):
            self.in_script = False

        def handle_data(self, data):
            (self.scripts if self.in_script else self.text).append(data)

    document = Document()
    document.feed(html)
    assert set(document.tags) <= {"html", "head", "meta", "title", "style", "body", "h1", "h2", "p", "table", "thead",
                                  "tbody", "tr", "th", "td", "div", "script"}, set(document.tags)
    text = "".join(document.text)
    assert "**b** $\\frac{1}{2}$ [c](javascript:x) :red[r] <b>B</b>" in text  # shown, as characters
    assert hidden_characters(text) == []
    figures_drawn = [s[s.index("Plotly.newPlot"):] for s in document.scripts if "Plotly.newPlot" in s]
    assert len(figures_drawn) == 4
    for drawn in figures_drawn:
        assert not any(fragment in drawn for fragment in CHART_FRAGMENTS), drawn[:300]
        assert hidden_characters(drawn) == [] and not re.search(r"(?i)\\u(202[a-e]|200[b-f]|206[0-9a-f]|feff)", drawn)
    # the three figures that name versions name them as text (Plotly's JSON writes '/' as \u002f)
    assert sum(ESCAPED_IN_CHARTS.replace("/", "\\u002f") in drawn for drawn in figures_drawn) == 3
