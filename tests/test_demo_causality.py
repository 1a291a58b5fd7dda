"""The demo data obeys time (issue #22), over the whole default dataset (`python -m demo`'s scale and
seed, at the tests' fixed as-of): one test per rule. Where a rule has deliberate exceptions they
are exactly the faults documented in demo/generate.sql ("Deliberate faults"), and the attribution
audit finds exactly them."""
from __future__ import annotations

from collections import Counter

import pytest
from scipy import stats

from tests.test_stored_answers import rows

# demo/generate.sql, "Deliberate faults": the audit's kind for each, and how many.
DELIBERATE = {"trade_before_edge": 3, "model_not_trading": 1, "strategy_live_while_testing": 1, "edge_mismatch": 1,
              "position_quantities": 1}


def one(url: str, sql: str, params=None):
    return rows(url, sql, params)[0][0]


@pytest.fixture(scope="module")
def url(default_demo_url):
    return default_demo_url


@pytest.fixture(scope="module")
def faults(url) -> dict[str, set[int]]:
    found: dict[str, set[int]] = {}
    for kind, subject in rows(url, "SELECT kind, subject_id FROM attribution_faults()"):
        found.setdefault(kind, set()).add(subject)
    return found


def test_the_audit_finds_exactly_the_deliberate_faults(url, faults):
    assert {kind: len(ids) for kind, ids in faults.items()} == DELIBERATE
    # the stored answer the pages read says the same
    assert Counter(k for k, in rows(url, "SELECT kind FROM attribution_faults_stored")) == Counter(DELIBERATE)


def test_every_edge_is_computed_seconds_before_the_trade_it_triggers(url, faults):
    late = {t for t, in rows(url, "SELECT t.trade_id FROM trades t JOIN edges e USING (edge_id) "
                                  "WHERE e.created_at >= t.created_at")}
    assert late == faults["trade_before_edge"]
    # the writer that records the edge late does so by seconds, not minutes, like every other latency
    assert one(url, "SELECT max(e.created_at - t.created_at) <= interval '40 seconds' FROM trades t "
                    "JOIN edges e USING (edge_id) WHERE t.trade_id = ANY(%s)", (list(late),))
    lag_min, lag_max, entries = rows(url, """
        SELECT min(t.created_at - e.created_at), max(t.created_at - e.created_at), count(*)
        FROM trades t JOIN edges e USING (edge_id) WHERE NOT t.trade_id = ANY(%s)""", (list(late),))[0]
    assert entries > 500 and lag_min.total_seconds() > 0 and lag_max.total_seconds() <= 10
    # every edge but the late ones comes after the price update it prices, by seconds
    assert one(url, """SELECT count(*) FROM edges e WHERE NOT EXISTS (
                           SELECT 1 FROM markets m WHERE m.market_id = e.market_id AND m.created_at <= e.created_at
                             AND m.created_at > e.created_at - interval '10 seconds')
                       AND e.edge_id NOT IN (SELECT edge_id FROM trades WHERE trade_id = ANY(%s))""", (list(late),)) == 0


def test_nothing_of_a_version_comes_before_the_version(url):
    checks = {
        "trades": """SELECT count(*) FROM trades t JOIN strategies s USING (strategy_id) JOIN probability_models m USING (model_id)
                     WHERE t.created_at < s.created_at OR t.created_at < m.created_at""",
        "edges": """SELECT count(*) FROM edges e JOIN strategies s USING (strategy_id) JOIN probability_models m USING (model_id)
                    WHERE e.created_at < s.created_at OR e.created_at < m.created_at""",
        "positions": """SELECT count(*) FROM position_facts f JOIN strategies s USING (strategy_id)
                        JOIN probability_models m USING (model_id)
                        WHERE f.opened_at < s.created_at OR f.opened_at < m.created_at""",
        "datasets": """SELECT count(*) FROM training_datasets d JOIN probability_models m
                       ON d.dataset_name = m.model_name || '_' || replace(m.model_version, '.', '_') || '_train'
                       WHERE d.created_at < m.created_at""",
        "training runs": """SELECT count(*) FROM model_training_runs r JOIN probability_models m USING (model_id)
                            WHERE r.training_started_at < m.created_at""",
        "methods": """SELECT count(*) FROM methods me JOIN strategies s USING (strategy_id)
                      JOIN probability_models m USING (model_id)
                      WHERE me.activated_at < s.created_at OR me.activated_at < m.created_at""",
    }
    assert {name: one(url, sql) for name, sql in checks.items()} == {name: 0 for name in checks}
    assert one(url, "SELECT count(*) FROM trades") > 2000


def test_every_version_went_through_its_recorded_lifecycle_by_the_functions(url):
    # every version starts a draft, at its creation, and each later status is a legal step
    starts = rows(url, "SELECT DISTINCT to_status FROM version_status_timeline WHERE action = 'created'")
    assert starts == [("draft",)]
    steps = rows(url, """
        SELECT s.kind, s.name, s.version, prev.status, s.status, h.action, h.changed_at >= prev.since
        FROM version_status_spans s
        JOIN version_status_spans prev ON prev.kind = s.kind AND prev.version_id = s.version_id AND prev.until = s.since
                                      AND prev.seq < s.seq
        JOIN version_status_history h ON h.kind = s.kind AND h.history_id = s.seq""")
    assert len(steps) == one(url, "SELECT count(*) FROM version_status_history") > 40
    illegal = [s for s in steps if not one(url, "SELECT version_lifecycle_allows(%s, %s, %s, %s)",
                                           (s[0], s[3], s[4], s[5] == "rollback"))]
    assert illegal == [] and all(s[6] for s in steps)
    # recorded by the lifecycle functions (an action they name), never by a plain UPDATE
    assert {a for a, in rows(url, "SELECT DISTINCT action FROM version_status_history")} == {
        "transition", "promote_replace", "promote_alongside", "replaced", "rollback"}
    # only the draft left as a draft has no recorded change
    unchanged = rows(url, """SELECT v.name, v.version FROM lifecycle_versions v WHERE NOT EXISTS (
                                 SELECT 1 FROM version_status_history h WHERE h.kind = v.kind AND h.version_id = v.version_id)""")
    assert unchanged == [("elo_nfl", "v2.1")]
    # the history ends in each version's current status
    assert one(url, """SELECT count(*) FROM lifecycle_versions v JOIN version_status_spans s
                       ON s.kind = v.kind AND s.version_id = v.version_id AND s.until = 'infinity'
                       WHERE s.status <> v.status""") == 0


def test_entries_fall_inside_the_time_their_versions_traded(url, faults):
    """A buy while a version's recorded status does not trade, or live while it trades on paper only
    (a strategy testing, a model validating), is exactly one of the deliberate faults."""
    statuses = rows(url, """
        SELECT t.trade_id, t.execution_mode, ss.status, ms.status
        FROM trades t
        JOIN version_status_spans ss ON ss.kind = 'strategy' AND ss.version_id = t.strategy_id
                                    AND t.created_at >= ss.since AND t.created_at < ss.until
        JOIN version_status_spans ms ON ms.kind = 'model' AND ms.version_id = t.model_id
                                    AND t.created_at >= ms.since AND t.created_at < ms.until
        WHERE t.side = 'buy'""")
    assert len(statuses) == one(url, "SELECT count(*) FROM trades WHERE side = 'buy'")
    not_trading = {t for t, _, s, m in statuses if s not in ("testing", "active") or m not in ("validating", "active")}
    live_on_paper_only = {t for t, mode, s, m in statuses if mode == "live" and "active" != s or mode == "live" and m != "active"}
    assert not_trading == faults["model_not_trading"]
    assert live_on_paper_only - not_trading == faults["strategy_live_while_testing"]
    # paper trading while testing or validating is fine, and the trades say so: they are paper trades
    paper = Counter((s, m) for _, mode, s, m in statuses if mode == "paper")
    assert paper[("testing", "active")] > 20 and paper[("active", "validating")] > 20
    assert not any(mode == "paper" and s == "active" and m == "active" for _, mode, s, m in statuses)


def test_a_challenger_starts_after_its_control_and_runs_live_beside_it(url):
    for name, control, challenger in (("halftime_entry", "v1.0", "v1.1"), ("underdog_fade", "v1.0", "v2.0"),
                                      ("momentum_scalp", "v1.0", "v1.1")):
        created = dict(rows(url, "SELECT strategy_version, created_at FROM strategies WHERE strategy_name = %s", (name,)))
        assert created[challenger] > created[control], name
        # the common window: both active; each made live entries in it
        start, end = rows(url, """
            SELECT max(s.since), min(s.until) FROM version_status_spans s
            WHERE s.kind = 'strategy' AND s.name = %s AND s.version IN (%s, %s) AND s.status = 'active'""",
                          (name, control, challenger))[0]
        live = dict(rows(url, """
            SELECT s.strategy_version, count(*) FROM trades t JOIN strategies s USING (strategy_id)
            WHERE s.strategy_name = %s AND t.side = 'buy' AND t.execution_mode = 'live'
              AND t.created_at >= %s AND t.created_at < %s GROUP BY 1""", (name, start, end)))
        assert start < end and live.get(control, 0) >= 20 and live.get(challenger, 0) >= 20, (name, live)


def test_the_aa_pair_splits_the_markets_at_random_half_each(url):
    configs = dict(rows(url, "SELECT strategy_version, config FROM strategies WHERE strategy_name = 'momentum_scalp'"))
    assert {v: (c["ab_arm"], c["traffic_split"]) for v, c in configs.items()} == {"v1.0": ("A", 0.5), "v1.1": ("B", 0.5)}
    arms = dict(rows(url, """
        SELECT s.strategy_version, count(DISTINCT e.market_id) FROM edges e JOIN strategies s USING (strategy_id)
        WHERE s.strategy_name = 'momentum_scalp' GROUP BY 1"""))
    both = one(url, """SELECT count(*) FROM (SELECT e.market_id FROM edges e JOIN strategies s USING (strategy_id)
                        WHERE s.strategy_name = 'momentum_scalp' GROUP BY 1 HAVING count(DISTINCT s.strategy_id) > 1) x""")
    assert both == 0 and min(arms.values()) > 100
    assert stats.binomtest(arms["v1.0"], arms["v1.0"] + arms["v1.1"], 0.5).pvalue > 0.01


def test_training_runs_differ_between_versions_and_happen_in_their_training_step(url):
    finals = rows(url, """
        SELECT m.model_name, m.model_version, r.feature_importance, r.val_metrics
        FROM model_training_runs r JOIN probability_models m USING (model_id)
        WHERE r.notes LIKE 'Final run%%' ORDER BY 1, 2""")
    assert len(finals) == 9  # every version but the draft
    for model in {f[0] for f in finals}:
        versions = [f for f in finals if f[0] == model]
        importances = [tuple(sorted(f[2].items())) for f in versions]
        metrics = [tuple(sorted(f[3].items())) for f in versions]
        assert len(set(importances)) == len(versions) and len(set(metrics)) == len(versions), model
        assert all(abs(sum(f[2].values()) - 1) < 0.01 for f in versions)
    assert one(url, """SELECT count(*) FROM model_training_runs r
                       JOIN version_status_spans s ON s.kind = 'model' AND s.version_id = r.model_id AND s.status = 'training'
                       WHERE r.training_started_at < s.since OR r.training_completed_at > s.until""") == 0
    assert one(url, "SELECT count(DISTINCT model_id) FROM model_training_runs") == 9


def test_trailing_stop_state_is_kept_as_the_seed_describes_it(url):
    """{active, activation_price, peak_price, current_stop_price, current_distance}: active once the peak
    reached the activation price, the stop then the distance under the peak; strategies without a
    trailing stop (momentum_scalp) carry none."""
    wrong = rows(url, """
        SELECT p.id FROM positions p JOIN position_facts f USING (position_id) JOIN strategies s ON s.strategy_id = f.strategy_id
        WHERE CASE WHEN s.config ? 'trailing_distance' THEN
                  NOT (p.trailing_stop_state ?& ARRAY['active', 'activation_price', 'peak_price', 'current_stop_price',
                                                      'current_distance'])
                  OR (p.trailing_stop_state ->> 'active')::boolean
                     <> ((p.trailing_stop_state ->> 'peak_price')::numeric >= (p.trailing_stop_state ->> 'activation_price')::numeric)
                  OR (p.trailing_stop_state ->> 'current_distance')::numeric <> (s.config ->> 'trailing_distance')::numeric
                  OR (p.trailing_stop_state ->> 'activation_price')::numeric
                     <> greatest(p.entry_price + 0.01, round(p.entry_price * (1 + (s.config ->> 'trailing_activation')::numeric), 2))
                  OR CASE WHEN (p.trailing_stop_state ->> 'active')::boolean
                          THEN (p.trailing_stop_state ->> 'current_stop_price')::numeric
                               IS DISTINCT FROM (p.trailing_stop_state ->> 'peak_price')::numeric
                                                - (p.trailing_stop_state ->> 'current_distance')::numeric
                          ELSE jsonb_typeof(p.trailing_stop_state -> 'current_stop_price') <> 'null' END
              ELSE p.trailing_stop_state IS NOT NULL END""")
    assert wrong == []
    active_open = one(url, "SELECT count(*) FROM positions WHERE status = 'open' AND (trailing_stop_state ->> 'active')::boolean")
    assert active_open > 100  # rows of open positions whose stop is active, each with its level


def test_a_positions_exits_and_orders_come_after_it_opened(url):
    assert one(url, "SELECT count(*) FROM exit_attempts a JOIN position_facts f USING (position_id) "
                    "WHERE a.created_at < f.opened_at") == 0
    assert one(url, "SELECT count(*) FROM position_exits x JOIN position_facts f USING (position_id) "
                    "WHERE x.created_at <= f.opened_at") == 0
    assert one(url, "SELECT count(*) FROM trades t JOIN position_facts f USING (position_id) "
                    "WHERE t.side = 'sell' AND t.created_at <= f.opened_at") == 0
    # an entry's order goes out before its position's first row (the fill), within a second
    assert one(url, """SELECT count(*) FROM position_facts f JOIN trades t ON t.trade_id = f.opening_trade_id
                       WHERE NOT (f.opened_at > t.created_at AND f.opened_at < t.created_at + interval '1 second')""") == 0
    # trade ids in the order trades happened
    assert one(url, """SELECT count(*) FROM (SELECT created_at < lag(created_at) OVER (ORDER BY trade_id) AS back
                       FROM trades) x WHERE back""") == 0


def test_ratings_and_alerts_name_versions_live_at_the_time(url):
    assert one(url, """SELECT count(*) FROM elo_rating_history r WHERE NOT EXISTS (
                           SELECT 1 FROM version_status_spans s WHERE s.kind = 'model' AND s.version_id = r.model_id
                             AND s.status = 'active' AND r.created_at >= s.since AND r.created_at < s.until)""") == 0
    named = rows(url, "SELECT triggered_at, substring(message from 'drift on \\*\\*(.*)\\*\\*') FROM alerts "
                      "WHERE alert_type = 'model_drift'")
    assert len(named) > 20
    assert one(url, """SELECT count(*) FROM alerts a WHERE a.alert_type = 'model_drift' AND NOT EXISTS (
                           SELECT 1 FROM version_status_spans s
                           WHERE s.kind = 'model' AND a.message LIKE '%%**' || s.name || ' ' || s.version || '**%%'
                             AND s.status IN ('validating', 'active') AND a.triggered_at >= s.since AND a.triggered_at < s.until)""") == 0
