"""What was live at a moment (ui/lifecycle.py, analytics/lifecycle.py, queries/versions_as_of.sql):
the recorded lifecycle's answer beside what each version traded that day, one sentence where they
disagree, the moment in the link; on the Models page's History tab and in the Strategy A/B page's
lifecycle box, on the attribution audit's hand-made rows (tests/fixtures.py, AUDIT_ROWS)."""
from __future__ import annotations

from datetime import datetime, timezone

import pandas as pd
import pytest

from analytics import lifecycle as al
from queries import versions
from tests.apptest import open_page
from tests.fixtures import AUDIT_ROWS, AUDIT_T
from ui.text import literal

T = datetime.fromisoformat(AUDIT_T)


@pytest.fixture(scope="module")
def url(databases):
    return databases.create("as_of", rows=AUDIT_ROWS)


def answer(kind: str, name: str, at: datetime) -> dict[str, tuple]:
    frame = versions.as_of.__wrapped__(kind, name, at)
    return {r.version: (r.status, r.trades, r.live_trades, r.paper_trades, r.off_status_buys, r.off_statuses,
                        r.live_paper_only_buys) for r in frame.itertuples()}


def test_the_answer_reads_the_recorded_status_and_the_days_trades(url, point_app_at):
    point_app_at(url)
    # ens v1 was deprecated on 2026-03-15, and still bought once on T's day
    assert answer("model", "ens", T) == {"v1": ("deprecated", 1, 1, 0, 1, "deprecated", 0)}
    assert answer("model", "ens", datetime(2026, 3, 14, 23, 59)) == {"v1": ("active", 0, 0, 0, 0, None, 0)}
    # fade v2, testing since its creation: paper buys are as they should be, its live one is not
    fade = answer("strategy", "fade", T)
    assert fade["v2"] == ("testing", 3, 1, 2, 0, None, 1) and fade["v1"][:2] == ("active", 9)
    # on 2026-02-01 fade v2 did not exist yet, but traded
    assert answer("strategy", "fade", datetime(2026, 2, 1, 18))["v2"] == (None, 1, 0, 1, 1, "not created yet", 0)


def test_sentences_say_where_the_record_and_the_trades_disagree():
    rows = pd.DataFrame({"version": ["v1", "v2"], "status": ["deprecated", "testing"],
                         "since": [datetime(2026, 3, 15), datetime(2026, 3, 1)], "trades": [6, 3],
                         "live_trades": [6, 1], "paper_trades": [0, 2], "off_status_buys": [6, 0],
                         "off_statuses": ["deprecated", None], "live_paper_only_buys": [0, 1],
                         "paper_only_statuses": [None, "testing"]})
    assert al.disagreements("strategy", rows) == [
        "v1 made 6 entry trades that day though its recorded status was deprecated.",
        "v2 made 1 live entry trade that day though it was only testing, which trades on paper."]
    sentence, active = al.headline("strategy", "fade", rows, T)
    assert (sentence, active) == ("No version of fade was active at 2026-04-01 12:00 UTC. Trading on paper only: "
                                  "v2 (testing since 2026-03-01 00:00).", False)
    assert al.disagreements("strategy", rows.assign(off_status_buys=0, live_paper_only_buys=0)) == []


def test_the_models_history_tab_says_so_and_keeps_the_moment_in_the_link(url, point_app_at):
    point_app_at(url)
    at = open_page("models", model="ens", tab="History", at="2026-04-01T12:00")
    assert not at.exception
    assert [w.value for w in at.warning] == [literal("v1 made 1 entry trade that day though its recorded status "
                                                     "was deprecated.")]
    assert [i.value for i in at.info] == [literal("No version of ens was active at 2026-04-01 12:00 UTC.")]
    assert at.query_params["at"] in ("2026-04-01T12:00", ["2026-04-01T12:00"])
    at.date_input(key="models_asof_day").set_value(datetime(2026, 3, 10).date()).run()
    assert not at.warning and any(literal("v1 (active since 2026-01-01 00:00)") in s.value for s in at.success)
    assert at.query_params["at"] in ("2026-03-10T12:00", ["2026-03-10T12:00"])


def test_the_ab_pages_lifecycle_box_answers_for_strategies(url, point_app_at):
    point_app_at(url)
    at = open_page("ab_tests", strategy="fade", at="2026-04-01T12:00")  # a moment in the link opens the box
    assert not at.exception
    assert literal("v2 made 1 live entry trade that day though it was only testing, which trades on paper.") in \
        [w.value for w in at.warning]
    assert any(literal("At 2026-04-01 12:00 UTC: v1 (active since 2026-01-01 00:00); on paper: v2 (testing since "
                       "2026-03-01 00:00).") == s.value for s in at.success)
    history = next(d.value for d in at.dataframe if "changed_by" in d.value.columns)
    assert sorted(history.version) == ["v1", "v2"] and set(history.action) == {"created"}
    closed = open_page("ab_tests", strategy="fade")  # no moment: the box stays closed and reads nothing
    assert not any("changed_by" in d.value.columns for d in closed.dataframe)


def test_a_moment_the_link_gets_wrong_is_said_once_and_now_is_used(url, point_app_at):
    point_app_at(url)
    before = datetime.now(timezone.utc).date()
    at = open_page("models", model="ens", tab="History", at="yesterday")
    assert not at.exception
    assert len([w for w in at.warning if "'yesterday' is not a moment" in w.value]) == 1
    assert at.date_input(key="models_asof_day").value in {before, datetime.now(timezone.utc).date()}
