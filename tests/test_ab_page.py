"""The Strategy A/B page under AppTest: a shared link shows the database's numbers and the same
numbers every time; the widgets write the state back into the link; bad links, small samples,
zero variance, one version and empty ranges each get a sentence, never a traceback."""
from __future__ import annotations

from datetime import datetime, timezone

import numpy as np
import pandas as pd
import pytest
import streamlit as st

from analytics import ab_stats, report, trade_metrics
from analytics.money import format_money
from queries import schema
from queries.connection import dashboard_login
from tests.ab_fixtures import ab_url  # noqa: F401  (the database fixture)
from tests.apptest import open_page

MEETING = dict(strategy="meeting", versions="v1.0,v1.1,v1.2", control="v1.0", trading="live",
               analysis="sequential", effect="5", **{"from": "2026-01-01", "to": "2026-12-31"})


@pytest.fixture
def ab_env(ab_url, point_app_at):  # noqa: F811
    return point_app_at(ab_url)


CLOSED = """
    FROM positions p JOIN trades t ON t.position_id = p.position_id AND t.side = 'buy'
    WHERE p.row_current_ind AND p.status IN ('closed', 'settled') AND p.execution_mode = %s AND t.strategy_id IN %s"""
RET = "(p.realized_pnl / (t.price * t.quantity))"


def independent_sums(url: str, strategy_ids: tuple[int, ...], mode: str = "live"):
    """Per version straight from positions and trades (not through the page's queries): n, sum,
    sum of squares, wins, realized P&L, sum of cubes of the return."""
    conn = schema.connect(url)
    with conn, conn.cursor() as cur:
        cur.execute(f"""
            SELECT t.strategy_id, count(*), sum({RET})::float8, sum({RET}^2)::float8,
                   count(*) FILTER (WHERE p.realized_pnl > 0), sum(p.realized_pnl), sum({RET}^3)::float8
            {CLOSED} GROUP BY t.strategy_id ORDER BY t.strategy_id""", (mode, strategy_ids))
        rows = cur.fetchall()
    conn.close()
    return {r[0]: r[1:] for r in rows}


def independent_groups(url: str, labels: dict[int, str], mode: str = "live"):
    sums = independent_sums(url, tuple(labels), mode)
    return {v: ab_stats.Group(v, s[0], s[1], s[2], s[3], s[5]) for i, v in labels.items() for s in [sums[i]]}


def independent_looks(url: str, labels: dict[int, str], mode: str = "live") -> pd.DataFrame:
    """The completed weekly looks (running totals at each Monday after a week with a close), in SQL."""
    conn = schema.connect(url)
    with conn, conn.cursor() as cur:
        cur.execute(f"""
            SELECT strategy_id, week + interval '7 days',
                   sum(n) OVER w, sum(s) OVER w, sum(q) OVER w, sum(c) OVER w, sum(wins) OVER w
            FROM (SELECT t.strategy_id, date_trunc('week', p.created_at) AS week, count(*) AS n,
                         sum({RET})::float8 AS s, sum({RET}^2)::float8 AS q, sum({RET}^3)::float8 AS c,
                         count(*) FILTER (WHERE p.realized_pnl > 0) AS wins
                  {CLOSED} GROUP BY 1, 2) x
            WINDOW w AS (PARTITION BY strategy_id ORDER BY week)""", (mode, tuple(labels)))
        rows = cur.fetchall()
    conn.close()
    frame = pd.DataFrame(rows, columns=["strategy_id", "look_at", "positions", "return_sum", "return_sum_sq",
                                        "return_sum_cube", "wins"])
    frame["version"] = frame.strategy_id.map(labels)
    return ab_stats.completed(ab_stats.carry_forward(frame), datetime.now(timezone.utc).replace(tzinfo=None))


def frame_with(at, column):
    """The (first) dataframe on the page that has `column`."""
    for element in at.dataframe:
        if column in element.value.columns:
            return element.value
    raise AssertionError(f"no dataframe with a column {column!r}")


def plain(markdown: str) -> str:
    """Markdown text as read (the page backslash-escapes database text in markdown)."""
    return markdown.replace("\\", "")


def shown(at):
    """Everything a person reads on the page, as plain values (for comparing two runs)."""
    return ([(m.label, m.value) for m in at.metric], [a.value for a in at.success] + [a.value for a in at.info],
            [d.value.to_dict() for d in at.dataframe])


def test_a_shared_link_shows_the_databases_numbers(ab_env):
    at = open_page("ab_tests", **MEETING)
    assert not at.exception and not at.error
    sums = independent_sums(ab_env, (11, 12, 13))
    table = at.dataframe[0].value.set_index("Metric")
    for strategy_id, version in ((11, "v1.0 · live (control)"), (12, "v1.1 · live"), (13, "v1.2 · live")):
        n, _, _, _, pnl, _ = sums[strategy_id]
        assert table.loc["Closed positions", version] == f"{n:,}"
        assert table.loc["Realized P&L", version] == format_money(pnl)
    # the verdict: recomputed here from the independent sums and weekly looks
    labels = {11: "v1.0", 12: "v1.1", 13: "v1.2"}
    groups = independent_groups(ab_env, labels)
    expected = ab_stats.compare(groups["v1.0"], [groups["v1.1"], groups["v1.2"]], sequential=True, min_effect=0.05,
                                looks=independent_looks(ab_env, labels))
    better = expected.rows.iloc[0]
    assert better.significant and better.estimate > 0  # the true +15 points is found
    metrics = {m.label: m.value for m in at.metric[:4]}
    assert metrics["Difference in mean return"] == trade_metrics.points(better.estimate, 2)
    assert metrics["Chance to beat control"] == f"{better.chance_to_beat:.0%}"
    assert len(at.success) == 1 and "better than the control" in at.success[0].value
    assert "not decided yet" in at.info[0].value  # v1.2 is the same as the control
    # 2 challengers x 2 metrics, Bonferroni, said on the page
    captions = " ".join(c.value for c in at.caption)
    assert "4 comparisons" in captions and "Bonferroni" in captions
    inference = frame_with(at, "Adjusted p (×4)")
    assert inference["Adjusted p (×4)"].tolist() == [report.p_text(p) for p in expected.rows.p_adjusted]
    assert inference["Always-valid p (lowest so far)"].tolist() == [report.p_text(p) for p in expected.rows.p_value]


def test_the_same_link_shows_the_same_numbers(ab_env):
    first = shown(open_page("ab_tests", **MEETING))
    st.cache_data.clear()
    second = shown(open_page("ab_tests", **MEETING))
    assert first == second
    assert first[0]  # there were numbers to compare


def test_the_link_is_written_back_and_widgets_change_it(ab_env):
    at = open_page("ab_tests", strategy="meeting")
    assert at.query_params["versions"] == "v1.0,v1.1,v1.2"
    assert at.query_params["control"] == "v1.0" and at.query_params["analysis"] == "sequential"
    sequential_interval = frame_with(at, "Version value").iloc[0, 5]
    at.radio(key="ab_analysis").set_value("fixed").run()
    assert at.query_params["analysis"] == "fixed"
    assert any("Fixed-horizon analysis" in c.value for c in at.caption)
    fixed_interval = frame_with(at, "Version value").iloc[0, 5]
    width = lambda text: float(text.split(" to ")[1].split()[0]) - float(text.split(" to ")[0])  # noqa: E731
    assert width(fixed_interval) < width(sequential_interval)  # peeking costs width
    at.selectbox(key="ab_control").set_value("v1.1").run()
    assert at.query_params["control"] == "v1.1"
    assert at.dataframe[0].value.columns[1] == "v1.1 · live (control)"
    at.selectbox(key="ab_strategy").set_value("flat").run()
    assert at.query_params["versions"] == "v1.0,v1.1" and at.query_params["control"] == "v1.0"
    at.multiselect(key="ab_versions").set_value([]).run()
    assert not at.exception
    assert any("Pick the versions" in i.value for i in at.info)


def test_a_tampered_link_gets_one_sentence_per_problem_and_no_traceback(ab_env):
    at = open_page("ab_tests", strategy="meeting", versions="v1.0,v9.9", control="<b>x</b>", trading="both",
                   analysis="bayes", effect="999", **{"from": "yesterday", "to": "2026-12-31"})
    assert not at.exception and not at.error
    warnings = " ".join(w.value for w in at.warning)
    for name in ("versions", "control", "trading", "analysis", "effect", "from"):
        assert f"The link's {name}" in warnings
    assert at.query_params["versions"] == "v1.0" and at.query_params["trading"] == "live"
    at2 = open_page("ab_tests", strategy="no_such_strategy", **{"from": "2026-05-01", "to": "2026-01-01"})
    assert not at2.exception
    assert "strategy 'no_such_strategy' is unknown" in " ".join(w.value for w in at2.warning)
    assert "ends before it starts" in " ".join(w.value for w in at2.warning)


def test_zero_variance_and_all_wins_are_said_plainly(ab_env):
    at = open_page("ab_tests", strategy="flat", **{"from": "2026-01-01", "to": "2026-12-31"})
    assert not at.exception
    text = plain(" ".join(i.value for i in at.info))
    assert "no spread" in text and "won in both versions" in text


def test_one_version_no_range_and_paper_without_control(ab_env):
    one = open_page("ab_tests", strategy="meeting", versions="v1.1", **{"from": "2026-01-01", "to": "2026-12-31"})
    assert not one.exception and "Only v1.1 is chosen" in plain(one.info[0].value)
    assert one.dataframe[0].value.columns.tolist() == ["Metric", "v1.1 · live (control)", "v1.1 · paper (control)"]
    empty = open_page("ab_tests", strategy="meeting", **{"from": "2030-01-01", "to": "2030-02-01"})
    assert not empty.exception and "closed in this date range" in plain(empty.info[0].value)
    paper = open_page("ab_tests", **{**MEETING, "trading": "paper"})
    assert not paper.exception
    assert "Not enough data: v1.0 has 0" in plain(paper.info[0].value)


def test_a_stale_stored_roi_is_flagged(ab_env):
    at = open_page("ab_tests", **MEETING)
    flagged = [w.value for w in at.warning if "Stored live ROI" in w.value]
    assert len(flagged) == 1 and "+99.99%" in flagged[0] and "v1\\.0" in flagged[0]


def test_the_report_button_is_there(ab_env):
    at = open_page("ab_tests", **MEETING)
    buttons = at.get("download_button")
    assert len(buttons) == 1 and buttons[0].proto.label == "Download report"


def test_on_the_small_demo_the_page_says_not_enough_data(app_env):
    at = open_page("ab_tests")
    assert not at.exception and not at.error
    assert at.query_params["strategy"] == "halftime_entry"
    text = " ".join(i.value for i in at.info)
    assert "Not enough data" in text or "No weekly look yet" in text
    assert at.dataframe[0].value.columns[0] == "Metric"
    # the demo's halftime_entry v1.0 live ROI is stored stale on purpose
    assert any("Stored live ROI of v1\\.0" in w.value for w in at.warning)


def test_an_empty_database_says_there_is_nothing_to_compare(databases, monkeypatch):
    monkeypatch.setenv("PRECOG_DATABASE_URL", dashboard_login(databases.create("ab_empty")))
    st.cache_data.clear()
    at = open_page("ab_tests", strategy="meeting")
    assert not at.exception
    assert at.info[0].value == "There are no strategy versions in the database yet, so there is nothing to compare."
    st.cache_data.clear()


def test_the_details_are_drawn_only_while_their_expanders_are_open(ab_env):
    at = open_page("ab_tests", **MEETING)
    assert not at.exception
    roi_tables = [d for d in at.dataframe if "Stored ROI" in d.value.columns]
    assert len(roi_tables) == 1  # a stored ROI is stale here, so its check opens by itself
    assert len(at.code) == 0 and not any("mSPRT" in t.value for t in at.text)  # the method, closed
    at.session_state["ab_method"] = True  # what opening it in the browser sets
    at.run()
    assert not at.exception
    assert len(at.code) == 1 and "strategy=meeting" in at.code[0].value  # the link to this view
    assert any("mSPRT" in t.value for t in at.text)


# --- what the comparison stands on (issue #21) ------------------------------------------------------
def captions_and_alerts(at) -> str:
    return plain(" ".join([c.value for c in at.caption] + [a.value for a in [*at.info, *at.warning, *at.error,
                                                                             *at.success]]))


def test_the_default_dates_are_the_period_every_chosen_version_was_trading(ab_env):
    """The page started at the first version's creation, so the control's positions from before
    the challenger existed were compared with the challenger's."""
    at = open_page("ab_tests", strategy="window")
    assert not at.exception
    # v1.1 first traded (opened) on 2026-01-25, v1.0 last closed on 2026-03-05
    assert (at.query_params["from"], at.query_params["to"]) == ("2026-01-25", "2026-03-05")
    assert ("the period in which every chosen version was trading (v1.1 first traded on 2026-01-25, v1.0 last "
            "traded on 2026-03-05)") in captions_and_alerts(at)
    table = at.dataframe[0].value.set_index("Metric")
    assert table.loc["Closed positions", "v1.0 · live (control)"] == "40"  # days 20-59 of its 60
    # the wider choice is one click away, and back
    at.button(key="ab_all_dates").click().run()
    assert (at.query_params["from"], at.query_params["to"]) == ("2025-12-01", str(datetime.now(timezone.utc).date()))
    assert at.dataframe[0].value.set_index("Metric").loc["Closed positions", "v1.0 · live (control)"] == "60"
    assert "outside that period some versions' positions come from days the others were not trading" \
        in captions_and_alerts(at)
    at.button(key="ab_shared_dates").click().run()
    assert (at.query_params["from"], at.query_params["to"]) == ("2026-01-25", "2026-03-05")
    # default dates follow the versions: v1.0 alone traded from 2026-01-05
    at.multiselect(key="ab_versions").set_value(["v1.0"]).run()
    assert (at.query_params["from"], at.query_params["to"]) == ("2026-01-05", "2026-03-05")
    # a link's own dates stay what it says
    linked = open_page("ab_tests", strategy="window", **{"from": "2026-01-01", "to": "2026-02-01"})
    assert (linked.query_params["from"], linked.query_params["to"]) == ("2026-01-01", "2026-02-01")


def test_a_confounded_comparison_is_said_and_can_be_restricted_to_the_shared_model(ab_env):
    at = open_page("ab_tests", strategy="confound", **{"from": "2026-01-01", "to": "2026-12-31"})
    assert not at.exception
    warning = plain(next(w.value for w in at.warning if "Confounded" in w.value))
    assert "v1.0 on elo_nfl v1.0 (60); v1.1 on elo_nfl v1.0 (30), elo_nfl v1.1 (30)" in warning
    assert "Only elo_nfl v1.0 was used by every version" in warning
    assert at.dataframe[0].value.set_index("Metric").loc["Closed positions", "v1.1 · live"] == "60"
    at.toggle(key="ab_shared_models").set_value(True).run()
    assert at.query_params["models"] == "shared"
    assert at.dataframe[0].value.set_index("Metric").loc["Closed positions", "v1.1 · live"] == "30"
    assert "Every number below counts only positions opened on elo_nfl v1.0." in captions_and_alerts(at)
    # the link reproduces the restricted numbers; the matrix still shows every pair
    again = open_page("ab_tests", strategy="confound", models="shared", **{"from": "2026-01-01", "to": "2026-12-31"})
    assert again.dataframe[0].value.set_index("Metric").loc["Closed positions", "v1.1 · live"] == "30"
    assert shown(again) == shown(at)
    # unconfounded versions get neither the warning nor the toggle
    meeting = open_page("ab_tests", **MEETING)
    assert not any("Confounded" in w.value for w in meeting.warning)
    assert not meeting.get("toggle")


def test_a_sample_ratio_mismatch_is_flagged_above_the_verdict(ab_env):
    at = open_page("ab_tests", strategy="split", **{"from": "2026-01-01", "to": "2026-12-31"})
    assert not at.exception
    assert len(at.error) == 1
    srm = plain(at.error[0].value)
    assert srm.startswith("Sample ratio mismatch: v1.0, v1.1 closed positions on 100 / 30 markets (76.9% / 23.1%); "
                          "their configs declare 50.0% / 50.0% (always-valid multinomial test")
    # above the verdict
    texts = [str(getattr(e, "value", "")) for e in at.main]
    assert texts.index(at.error[0].value) < next(i for i, t in enumerate(texts) if t.startswith("**") and "against" in t)
    fixed = open_page("ab_tests", strategy="split", analysis="fixed", **{"from": "2026-01-01", "to": "2026-12-31"})
    assert "(chi-square: p < 0.001)" in plain(fixed.error[0].value)
    # versions without a declared split: the check does not apply, and the page says so
    meeting = open_page("ab_tests", **MEETING)
    assert "no chosen version's config declares a traffic_split" in captions_and_alerts(meeting)


def test_only_completed_weekly_looks_are_charted_and_chance_is_not_a_stopping_rule(ab_env):
    import json

    from tests.apptest import plotted

    at = open_page("ab_tests", strategy="recent")
    assert not at.exception
    charts = {c.key: json.loads(c.proto.spec) for c in at.get("plotly_chart")}
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    dates = [pd.Timestamp(x) for trace in charts["ab_chart_chance"]["data"] for x in plotted(trace["x"])]
    assert dates and max(dates) <= pd.Timestamp(now)
    # the current week's look (next Monday) exists in the data but is not drawn
    monday = pd.Timestamp(now.date()) - pd.Timedelta(days=now.weekday()) + pd.Timedelta(weeks=1)
    assert monday not in dates and monday - pd.Timedelta(weeks=1) in dates
    assert "not a stopping rule" in " ".join(c.value for c in at.caption)


def test_an_undecided_sequential_verdict_says_so_in_words(ab_env):
    at = open_page("ab_tests", **MEETING)
    undecided = plain(next(i.value for i in at.info if "v1.2" in i.value or "not decided" in i.value))
    assert "not decided yet" in undecided and "more closed positions of v1.2" in undecided
    assert "1.000" not in undecided


def test_one_extreme_position_is_shown_with_its_share_and_a_winsorized_result(ab_env):
    at = open_page("ab_tests", strategy="outlier", **{"from": "2026-01-01", "to": "2026-12-31"})
    assert not at.exception
    assert any(plain(i.value).startswith("Too skewed to judge yet") for i in at.info)
    few = plain(next(w.value for w in at.warning if "A few positions carry" in w.value))
    assert "without one position (v1.1's +9999%)" in few
    sensitivity = frame_with(at, "As measured")
    assert sensitivity["As measured"].tolist() == ["no verdict: too skewed to judge yet"]
    winsorized = next(c for c in sensitivity.columns if c.startswith("Winsorized"))
    assert sensitivity[winsorized].iloc[0] != "—"  # without the extreme, the test can judge


def test_sharpe_and_sortino_per_version_from_daily_pnl(ab_env):
    import math

    at = open_page("ab_tests", **MEETING)
    table = at.dataframe[0].value.set_index("Metric")
    conn = schema.connect(ab_env)
    with conn, conn.cursor() as cur:
        cur.execute(f"""SELECT p.created_at::date, sum(p.realized_pnl)::float8 {CLOSED} GROUP BY 1 ORDER BY 1""",
                    ("live", (12,)))
        days = cur.fetchall()
    conn.close()
    span = pd.date_range(days[0][0], days[-1][0], freq="D")
    daily = pd.Series(dict(days)).rename(index=pd.Timestamp).reindex(span, fill_value=0.0).to_numpy()
    sharpe = daily.mean() / daily.std(ddof=1) * math.sqrt(365)
    sortino = daily.mean() / math.sqrt((np.minimum(daily, 0) ** 2).mean()) * math.sqrt(365)
    assert table.loc["Sharpe ratio (daily P&L, ×√365)", "v1.1 · live"] == f"{sharpe:.2f} ({len(span)} days)"
    assert table.loc["Sortino ratio (daily P&L, ×√365)", "v1.1 · live"] == f"{sortino:.2f} ({len(span)} days)"


def test_the_regression_adjustment_is_shown_beside_the_plain_difference(ab_env):
    at = open_page("ab_tests", **MEETING)
    sensitivity = frame_with(at, "As measured")
    assert sensitivity.Version.tolist() == ["v1.1", "v1.2"]
    adjusted = next(c for c in sensitivity.columns if c.startswith("Adjusted for edge at entry and entry price"))
    assert all(" to " in cell for cell in sensitivity[adjusted])
    assert all(cell.endswith("%") for cell in sensitivity["Variance removed by the adjustment"])


def test_the_demos_aa_pair_declares_its_split_and_passes_the_check(app_env):
    """momentum_scalp v1.0 / v1.1 split the markets at random, 50/50 as their configs say: the check
    applies, and a random split is not flagged."""
    at = open_page("ab_tests", strategy="momentum_scalp")
    assert not at.exception and not at.error
    check = next(c for c in captions_and_alerts(at).split("Sample-ratio check: ")[1:])
    assert check.startswith("v1.0, v1.1 closed positions on") and "declare 50.0% / 50.0%" in check
    assert "No mismatch" in check
