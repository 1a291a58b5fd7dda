"""The Strategy A/B page under AppTest: a shared link shows the database's numbers and the same
numbers every time; the widgets write the state back into the link; bad links, small samples,
zero variance, one version and empty ranges each get a sentence, never a traceback."""
from __future__ import annotations

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


def independent_sums(url: str, strategy_ids: tuple[int, ...], mode: str = "live"):
    """Per version straight from positions and trades (not through the page's queries)."""
    conn = schema.connect(url)
    with conn, conn.cursor() as cur:
        cur.execute("""
            SELECT t.strategy_id, count(*), sum(p.realized_pnl / (t.price * t.quantity))::float8,
                   sum((p.realized_pnl / (t.price * t.quantity))^2)::float8,
                   count(*) FILTER (WHERE p.realized_pnl > 0), sum(p.realized_pnl)
            FROM positions p JOIN trades t ON t.position_id = p.position_id AND t.side = 'buy'
            WHERE p.row_current_ind AND p.status IN ('closed', 'settled') AND p.execution_mode = %s
              AND t.strategy_id IN %s
            GROUP BY t.strategy_id ORDER BY t.strategy_id""", (mode, strategy_ids))
        rows = cur.fetchall()
    conn.close()
    return {r[0]: r[1:] for r in rows}


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
        n, _, _, _, pnl = sums[strategy_id]
        assert table.loc["Closed positions", version] == f"{n:,}"
        assert table.loc["Realized P&L", version] == format_money(pnl)
    # the verdict: recomputed here from the independent sums
    groups = {v: ab_stats.Group(v, s[0], s[1], s[2], s[3]) for v, s in zip(("v1.0", "v1.1", "v1.2"),
                                                                           (sums[11], sums[12], sums[13]))}
    expected = ab_stats.compare(groups["v1.0"], [groups["v1.1"], groups["v1.2"]], sequential=True, min_effect=0.05)
    better = expected.rows.iloc[0]
    assert better.significant and better.estimate > 0  # the true +15 points is found
    metrics = {m.label: m.value for m in at.metric[:4]}
    assert metrics["Difference in mean return"] == trade_metrics.points(better.estimate, 2)
    assert metrics["Chance to beat control"] == f"{better.chance_to_beat:.0%}"
    assert len(at.success) == 1 and "better than the control" in at.success[0].value
    assert "no clear difference" in at.info[0].value  # v1.2 is the same as the control
    # 2 challengers x 2 metrics, Holm-adjusted, said on the page
    captions = " ".join(c.value for c in at.caption)
    assert "4 comparisons" in captions and "Holm-adjusted" in captions
    inference = at.dataframe[2].value
    assert inference["Holm-adjusted p"].tolist() == [report.p_text(p) for p in expected.rows.p_adjusted]


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
    sequential_interval = at.dataframe[2].value.iloc[0, 5]
    at.radio(key="ab_analysis").set_value("fixed").run()
    assert at.query_params["analysis"] == "fixed"
    assert any("Fixed-horizon analysis" in c.value for c in at.caption)
    fixed_interval = at.dataframe[2].value.iloc[0, 5]
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
