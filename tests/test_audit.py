"""The attribution audit (schema.sql, "Attribution audit"): on a small hand-made database with one
row of each kind of fault (tests/fixtures.py, AUDIT_ROWS), each is found once and nothing else is
flagged; it reads the recorded lifecycle, not the versions' current status; the page counts them,
links each to its row and keeps database text inert; the Overview links to it only when there is
something to see. Also "what was open at a moment" (Position exits) on the same rows."""
from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from analytics import audit as aa
from tests.apptest import open_page
from tests.fixtures import AUDIT_FINDINGS, AUDIT_ROWS, AUDIT_T
from tests.test_stored_answers import rows

T = datetime.fromisoformat(AUDIT_T)


@pytest.fixture(scope="module")
def audit_url(databases):
    return databases.create("audit", rows=AUDIT_ROWS)


def findings(url: str, source: str = "attribution_faults()") -> Counter:
    return Counter(rows(url, f"SELECT kind, subject_id FROM {source}"))


def test_each_kind_of_fault_is_found_once_and_nothing_else(audit_url):
    found = findings(audit_url)
    assert set(found) == AUDIT_FINDINGS and set(found.values()) == {1}
    assert {kind for kind, _ in found} == {kind for kind, _, _ in aa.KINDS}  # every kind the page lists
    # the stored answer holds the same (the page reads it)
    assert findings(audit_url, "attribution_faults_stored") == found


def test_each_finding_says_what_is_wrong(audit_url):
    detail = dict(((kind, subject), text) for kind, subject, text
                  in rows(audit_url, "SELECT kind, subject_id, detail FROM attribution_faults()"))
    assert detail[("trade_before_edge", 4)] == "Its edge #4 was computed 00:00:30 after the trade."
    assert detail[("model_not_trading", 9)] == "ens v1 was deprecated then (since 2026-03-15 00:00)."
    assert detail[("strategy_live_while_testing", 10)] == ("fade v2 was testing then (since 2026-03-01 00:00), "
                                                          "trading on paper only.")
    assert detail[("model_live_while_validating", 15)] == ("elo v2 was validating then (since 2026-03-01 00:00), "
                                                          "trading on paper only.")
    assert detail[("strategy_not_trading", 8)] == "drift v1 was draft then (since 2026-01-01 00:00)."
    assert detail[("before_model_created", 7)] == "elo v2 was created 27 days 12:00:00 later."
    assert "elo v2" in detail[("edge_mismatch", 5)]
    assert detail[("position_quantities", 11)] == ("Opened with 10; its buys add up to 10 and its sells to 5, so it "
                                                   "should hold 5, but it holds 10.")


def test_the_audit_reads_the_recorded_lifecycle_not_the_current_status(databases):
    """drift v1 was a draft when trade 8 was made: recording that it went testing before then (on
    paper: trade 8 was a paper trade) clears the finding; its current status alone would not."""
    url = databases.create("audit_history", rows=AUDIT_ROWS)
    rows(url, "SELECT transition_version_status('strategy', 3, 'testing', 'ana', 'paper first', 'replace', NULL, "
              "%s)", (T - timedelta(days=1),))
    assert ("strategy_not_trading", 8) not in findings(url)
    url = databases.create("audit_now", rows=AUDIT_ROWS)
    rows(url, "SELECT transition_version_status('strategy', 3, 'testing', 'ana', 'paper first')")  # recorded now
    assert rows(url, "SELECT status FROM strategies WHERE strategy_id = 3") == [("testing",)]
    assert ("strategy_not_trading", 8) in findings(url)



def test_a_closed_position_is_held_to_zero_whatever_its_quantity_column_says(databases):
    """Writers differ on a closed position's quantity: the demo sets it to 0, a trading system
    written from the schema document leaves it as opened (tests/seed_trading_history.sql). Closed
    means nothing is held, so the audit compares buys less sells with 0, not with that column."""
    url = databases.create("audit_closed", rows=AUDIT_ROWS)
    closed_as_opened = rows(url, """
        SELECT p.position_id FROM positions p
        WHERE p.row_current_ind AND p.status = 'closed'
          AND (SELECT sum(quantity) FILTER (WHERE side = 'buy') - coalesce(sum(quantity) FILTER (WHERE side = 'sell'), 0)
               FROM trades t WHERE t.position_id = p.position_id) = 0
        LIMIT 1""")
    assert closed_as_opened, "the fixture has a fully exited closed position"
    (position,), = closed_as_opened
    # the trading system's convention: the closed row keeps the opening quantity (a new SCD row)
    columns = ", ".join(name for (name,) in rows(url, """
        SELECT column_name FROM information_schema.columns
        WHERE table_name = 'positions' AND column_name NOT IN ('id', 'quantity', 'row_current_ind', 'row_end_ts')"""))
    rows(url, f"""
        WITH old AS (UPDATE positions SET row_current_ind = false, row_end_ts = now()
                     WHERE position_id = %(p)s AND row_current_ind RETURNING *)
        INSERT INTO positions ({columns}, quantity)
        SELECT {columns}, (SELECT opening_quantity FROM position_facts WHERE position_id = %(p)s) FROM old""",
         {"p": position})
    assert ("position_quantities", position) not in findings(url)
    assert Counter(findings(url)) == Counter(findings(databases.create("audit_same", rows=AUDIT_ROWS)))


# --- the page ---------------------------------------------------------------------------------------
def test_the_page_counts_each_kind_and_links_each_finding_to_its_row(audit_url, point_app_at):
    point_app_at(audit_url)
    at = open_page("audit")
    assert not at.exception
    assert not at.error and [e.value for e in at.warning] == ["10 findings of 10 kinds."]
    kinds = next(d.value for d in at.dataframe if "findings" in d.value.columns)
    assert dict(zip(kinds.kind, kinds.findings)) == {kind: 1 for kind, _, _ in aa.KINDS}
    assert at.query_params["kind"] in ("trade_before_edge", ["trade_before_edge"])  # the first kind, in the link
    listed = next(d.value for d in at.dataframe if "detail" in d.value.columns)
    assert list(listed.open) == ["trades?trade=4"]
    at.selectbox(key="audit_kind").set_value("position_quantities").run()
    listed = next(d.value for d in at.dataframe if "detail" in d.value.columns)
    assert list(listed.open) == ["exits?tab=One%20position&position=11"]
    assert at.query_params["kind"] in ("position_quantities", ["position_quantities"])


def test_a_link_opens_the_kind_it_names(audit_url, point_app_at):
    point_app_at(audit_url)
    at = open_page("audit", kind="model_not_trading")
    listed = next(d.value for d in at.dataframe if "detail" in d.value.columns)
    assert list(listed.subject_id) == [9] and list(listed.model) == ["ens v1"]
    at = open_page("audit", kind="no_such_kind")
    assert not at.exception and any("unknown" in w.value for w in at.warning)


def test_hostile_version_names_stay_text(databases, point_app_at):
    hostile = "**bold** [x](https://evil.example) <b>b</b> $x$ :red[r]"
    url = databases.create("audit_hostile", rows=AUDIT_ROWS.replace("'drift'", "'" + hostile + "'"))
    point_app_at(url)
    at = open_page("audit", kind="strategy_not_trading")
    assert not at.exception
    listed = next(d.value for d in at.dataframe if "detail" in d.value.columns)
    assert listed.strategy.tolist() == [hostile + " v1"] and listed.detail.iloc[0].startswith(hostile)
    markdown = [e.value for kind in ("markdown", "caption", "error", "success", "info", "warning") for e in at.get(kind)]
    assert not any(hostile in text for text in markdown)


def test_the_overview_links_to_the_audit_only_when_it_found_something(audit_url, databases, point_app_at):
    point_app_at(audit_url)
    links = open_page().get("page_link")  # the alert counts link to the queue too
    assert [(link.proto.page, link.proto.label) for link in links if link.proto.page == "audit"] == [
        ("audit", "Attribution audit: 10 trades and positions contradict their recorded history")]
    point_app_at(databases.create("audit_clean"))
    at = open_page()
    assert not at.exception and not [link for link in at.get("page_link") if link.proto.page == "audit"]
    assert [e.value for e in open_page("audit").success] == ["No trade or position contradicts its history."]


# --- what was open at a moment ------------------------------------------------------------------------
def open_at_by_definition(url: str, at: datetime) -> dict[int, tuple]:
    """Each position whose row valid at `at` is open: (held, P&L unrealized at the held side's last quote
    by then, realized by then), from the position and market rows directly."""
    return {p: (q, u, r) for p, q, u, r in rows(url, """
        SELECT p.position_id, p.quantity,
               (CASE p.side WHEN 'yes' THEN m.yes_price ELSE m.no_price END - p.entry_price) * p.quantity, p.realized_pnl
        FROM positions p
        JOIN markets m ON m.market_id = p.market_id AND m.created_at <= %(at)s
                      AND (m.row_end_ts IS NULL OR m.row_end_ts > %(at)s)
        WHERE p.created_at <= %(at)s AND (p.row_end_ts IS NULL OR p.row_end_ts > %(at)s) AND p.status = 'open'""",
                                                  {"at": at})}


@pytest.mark.parametrize("moment", [T - timedelta(days=45), T, T + timedelta(minutes=30), T + timedelta(hours=1),
                                    T + timedelta(hours=3)])
def test_the_positions_open_at_a_moment_with_their_pnl_then(audit_url, point_app_at, moment):
    from queries import exits

    point_app_at(audit_url)
    frame = exits.open_at(moment)
    assert {int(r.position_id): (int(r.quantity), Decimal(r.unrealized_pnl), Decimal(r.realized_pnl))
            for r in frame.itertuples()} == open_at_by_definition(audit_url, moment)


def test_the_moments_answers_differ_as_positions_open_and_close(audit_url, point_app_at):
    from queries import exits

    point_app_at(audit_url)
    assert set(exits.open_at(T - timedelta(days=45)).position_id) == {6, 7}
    assert len(exits.open_at(T + timedelta(minutes=30))) == 12
    after_close = exits.open_at(T + timedelta(hours=1))
    assert set(after_close.position_id) == {1, 4, 5, 6, 7, 8, 9, 10, 11, 13}  # 2 and 12 closed at 13:00
    # marked to the quote of 12:10 (yes 0.60), bought at 0.50: 10 contracts, +1.00 each position
    assert set(after_close.unrealized_pnl.map(Decimal)) == {Decimal("1.0000")}


def test_the_exits_tab_takes_its_moment_from_the_link(audit_url, point_app_at):
    point_app_at(audit_url)
    at = open_page("exits", tab="Open at a moment", at="2026-02-15T12:00")
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["Open at 2026-02-15 12:00 UTC"] == "2"
    at = open_page("exits", tab="Open at a moment", at="not-a-moment")
    assert not at.exception and any("is not a moment" in w.value for w in at.warning)
